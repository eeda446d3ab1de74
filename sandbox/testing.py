"""Helpers for tests of the simulator (and of clients against it): realms and tokens without the OAuth dance."""

import secrets
from datetime import timedelta

from django.utils import timezone

from .gateway import ACCOUNTING_SCOPE, PROJECTS_SCOPE
from .models import OAuthGrant, Realm


def make_realm(realm_id: str = "9341453012345678", name: str = "Test Contractor LLC", plan=Realm.Plan.ADVANCED):
    return Realm.objects.create(realm_id=realm_id, name=name, plan=plan)


def issue_token(realm: Realm, scopes: str = f"{ACCOUNTING_SCOPE} {PROJECTS_SCOPE}", *, client_id="test-client") -> str:
    """A live access token for `realm`, as if the OAuth flow had just completed."""
    grant = OAuthGrant.objects.create(
        realm=realm,
        client_id=client_id,
        scopes=scopes,
        redirect_uri="http://127.0.0.1/callback",
        access_token=secrets.token_urlsafe(48),
        access_expires_at=timezone.now() + timedelta(hours=1),
        refresh_token=secrets.token_urlsafe(48),
        refresh_expires_at=timezone.now() + timedelta(days=100),
    )
    return grant.access_token


def auth_headers(token: str) -> dict:
    """Headers for Django's test client."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT": "application/json"}
