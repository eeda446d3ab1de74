"""Intuit's OAuth paths, relative to the sandbox base URL (Intuit spreads them over several hosts)."""

from django.urls import path

from . import views

urlpatterns = [
    path("connect/oauth2", views.authorize, name="sandbox-authorize"),
    path("oauth2/v1/tokens/bearer", views.token, name="sandbox-token"),
    path("oauth2/v1/tokens/revoke", views.revoke, name="sandbox-revoke"),
    path("v2/oauth2/tokens/revoke", views.revoke),  # the path Intuit's discovery document names
    path(".well-known/openid_configuration/", views.discovery, name="sandbox-discovery"),
    path(".well-known/openid_sandbox_configuration/", views.discovery, name="sandbox-discovery-sandbox"),
    path(".well-known/openid-sandbox-configuration", views.discovery),
    path(".well-known/openid-configuration", views.discovery),  # the RFC 8414 spelling generic clients try
    path("op/v1/jwks", views.jwks),
    path("v1/openid_connect/userinfo", views.userinfo),
]
