"""Where QuickBooks lives, from settings alone: the local sandbox in development, Intuit in production.

Intuit's URLs: https://developer.intuit.com/.well-known/openid_configuration/ (OAuth) and
https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features (REST hosts).
"""

from dataclasses import dataclass

from django.conf import settings

INTUIT = {
    "authorize": "https://appcenter.intuit.com/connect/oauth2",
    "token": "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    "revoke": "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
}
INTUIT_API = {"production": "https://quickbooks.api.intuit.com", "sandbox": "https://sandbox-quickbooks.api.intuit.com"}
INTUIT_GRAPHQL = {
    "production": "https://qb.api.intuit.com/graphql",
    "sandbox": "https://qb-sandbox.api.intuit.com/graphql",
}


@dataclass(frozen=True)
class Endpoints:
    authorize: str
    token: str
    revoke: str
    api_base: str
    graphql: str


def endpoints() -> Endpoints:
    local = settings.QBO_SANDBOX_URL
    if local:
        return Endpoints(
            authorize=f"{local}/connect/oauth2",
            token=f"{local}/oauth2/v1/tokens/bearer",
            revoke=f"{local}/oauth2/v1/tokens/revoke",
            api_base=local,
            graphql=f"{local}/graphql",
        )
    environment = settings.QBO_ENVIRONMENT
    return Endpoints(**INTUIT, api_base=INTUIT_API[environment], graphql=INTUIT_GRAPHQL[environment])
