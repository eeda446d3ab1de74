"""Test controls at /_sandbox/: faults, rate limits, webhook endpoints, state and reset (JSON, no auth)."""
