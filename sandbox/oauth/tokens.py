"""Issuing, rotating and revoking the tokens of an `OAuthGrant` (docs/quickbooks-api.md, OAuth tokens)."""

import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ..models import OAuthGrant, SupersededRefreshToken
from .conf import conf

ACCOUNTING_SCOPES = {"com.intuit.quickbooks.accounting", "com.intuit.quickbooks.payment"}
# Intuit's scopes the sandbox knows (docs/quickbooks-api.md, OAuth tokens); anything else is refused like Intuit does.
KNOWN_SCOPES = ACCOUNTING_SCOPES | {
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    "project-management.project",
    "app-foundations.custom-field-definitions",
    "app-foundations.custom-field-definitions.read",
    "payroll.compensation.read",
    "indirect-tax.tax-calculation.quickbooks",
}


def new_code() -> str:
    return "AB1" + secrets.token_urlsafe(36)


def start_grant(realm, client_id: str, scopes: str, redirect_uri: str) -> OAuthGrant:
    """The grant behind an approved consent: only an authorization code so far."""
    return OAuthGrant.objects.create(
        realm=realm,
        client_id=client_id,
        scopes=scopes,
        redirect_uri=redirect_uri,
        code=new_code(),
        code_expires_at=timezone.now() + timedelta(seconds=conf().code_ttl),
    )


def hard_expiry(grant: OAuthGrant):
    return grant.created + timedelta(seconds=conf().refresh_token_hard_ttl)


def issue_pair(grant: OAuthGrant) -> None:
    """A fresh access token and a fresh refresh token (rolling expiry, capped by the hard expiry)."""
    now, settings = timezone.now(), conf()
    grant.access_token = secrets.token_urlsafe(64)
    grant.access_expires_at = now + timedelta(seconds=settings.access_token_ttl)
    grant.refresh_token = "RT1-" + secrets.token_urlsafe(36)
    grant.refresh_expires_at = min(now + timedelta(seconds=settings.refresh_token_ttl), hard_expiry(grant))


def supersede(grant: OAuthGrant) -> None:
    """Remember the refresh token a rotation replaces, so using it again answers invalid_grant."""
    SupersededRefreshToken.objects.create(grant=grant, token=grant.refresh_token)


def grant_for_any_token(token: str) -> OAuthGrant | None:
    """The grant an access, refresh or superseded refresh token belongs to."""
    grant = OAuthGrant.objects.filter(Q(access_token=token) | Q(refresh_token=token)).first()
    if grant is None:
        old = SupersededRefreshToken.objects.select_related("grant").filter(token=token).first()
        grant = old.grant if old else None
    return grant


def seconds_until(moment) -> int:
    return max(0, int((moment - timezone.now()).total_seconds()))
