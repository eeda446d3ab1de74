"""Intuit's OAuth 2.0 authorization server, simulated: consent page, token and revocation endpoints, discovery."""
