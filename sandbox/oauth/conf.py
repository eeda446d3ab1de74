"""The sandbox app's credentials and token lifetimes, from the environment with printed defaults.

Intuit's developer portal hands each app a client id, a client secret and a webhook verifier token;
the sandbox accepts exactly one app, configured here. Values are read on every call, so tests can
change the environment (e.g. a 2-second access token) without reloading modules.
"""

import os
from dataclasses import dataclass

DEFAULT_CLIENT_ID = "costline-sandbox-client"
DEFAULT_CLIENT_SECRET = "costline-sandbox-secret"  # noqa: S105 - a published development default, like the rest
DEFAULT_VERIFIER = "costline-sandbox-verifier"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@dataclass(frozen=True)
class SandboxConf:
    client_id: str
    client_secret: str
    webhook_verifier: str
    access_token_ttl: int  # seconds; Intuit: 3600
    refresh_token_ttl: int  # seconds, rolling; Intuit: 100 days = 8726400
    refresh_token_hard_ttl: int  # seconds from consent; Intuit's 2025 rule: 5 years
    code_ttl: int  # seconds an authorization code stays exchangeable
    auto_approve_realm: str  # answers prompt=none for this realm, as if its user had consented before


def conf() -> SandboxConf:
    env = os.environ
    return SandboxConf(
        client_id=env.get("QBO_SANDBOX_CLIENT_ID") or DEFAULT_CLIENT_ID,
        client_secret=env.get("QBO_SANDBOX_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
        webhook_verifier=env.get("QBO_SANDBOX_WEBHOOK_VERIFIER") or DEFAULT_VERIFIER,
        access_token_ttl=_int("QBO_SANDBOX_ACCESS_TOKEN_TTL", 3600),
        refresh_token_ttl=_int("QBO_SANDBOX_REFRESH_TOKEN_TTL", 8726400),
        refresh_token_hard_ttl=_int("QBO_SANDBOX_REFRESH_TOKEN_HARD_TTL", 5 * 365 * 24 * 3600),
        code_ttl=_int("QBO_SANDBOX_CODE_TTL", 300),
        auto_approve_realm=env.get("QBO_SANDBOX_AUTO_APPROVE_REALM", ""),
    )
