"""OAuth 2.0 with Intuit: the authorization URL, code exchange, refresh with rotation, revocation.

Intuit rotates the refresh token: once a refresh returns a new one, the old one answers
`invalid_grant` for good. So a refresh runs under a lock on the company's Connection row (two workers
never refresh at once), and the new refresh token is committed before the new access token is used.
https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import jsonio
from .endpoints import endpoints
from .errors import QuickBooksError, ReauthorizationRequired, TransientError

if TYPE_CHECKING:  # the models import at call time here: the client loads before the app registry
    from quickbooks.models import Connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None


def authorization_url(state: str, *, prompt: str | None = None) -> str:
    """Intuit's consent page for our app, asking for the configured scopes (`prompt="none"`: no page)."""
    query = {
        "client_id": settings.QBO_CLIENT_ID,
        "response_type": "code",
        "scope": " ".join(settings.QBO_SCOPES),
        "redirect_uri": settings.QBO_REDIRECT_URI,
        "state": state,
    }
    if prompt:
        query["prompt"] = prompt
    return f"{endpoints().authorize}?{urlencode(query)}"


def requested_scopes() -> set[str]:
    return set(settings.QBO_SCOPES)


def _token_request(data: dict) -> TokenSet:
    """POST the token endpoint with HTTP Basic client authentication."""
    try:
        response = requests.post(
            endpoints().token,
            data=data,
            auth=(settings.QBO_CLIENT_ID, settings.QBO_CLIENT_SECRET),
            headers={"Accept": "application/json"},
            timeout=settings.QBO_TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        raise TransientError(f"Could not reach Intuit's token endpoint: {error}") from error
    body = jsonio.loads_or_none(response.content) or {}
    if response.status_code == 400 and body.get("error") == "invalid_grant":
        raise ReauthorizationRequired("invalid_grant", detail=body.get("error_description", ""), status=400)
    if response.status_code >= 500:
        raise TransientError(f"Intuit's token endpoint answered {response.status_code}", status=response.status_code)
    if response.status_code != 200:
        raise QuickBooksError(
            f"Intuit's token endpoint refused the request: {body.get('error', response.status_code)}",
            detail=body.get("error_description", ""),
            status=response.status_code,
        )
    now = timezone.now()
    refresh_ttl = body.get("x_refresh_token_expires_in")
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        access_expires_at=now + timedelta(seconds=int(body.get("expires_in", 3600))),
        refresh_expires_at=now + timedelta(seconds=int(refresh_ttl)) if refresh_ttl else None,
    )


def exchange_code(code: str) -> TokenSet:
    """Trade the authorization code from the callback for the first tokens."""
    return _token_request({"grant_type": "authorization_code", "code": code, "redirect_uri": settings.QBO_REDIRECT_URI})


def store_tokens(connection: "Connection", tokens: TokenSet) -> None:
    connection.access_token, connection.refresh_token = tokens.access_token, tokens.refresh_token
    connection.access_expires_at, connection.refresh_expires_at = tokens.access_expires_at, tokens.refresh_expires_at


def access_token(connection_id: int, *, rejected: str | None = None) -> str:
    """A usable access token, refreshed first when it is about to expire or QuickBooks just rejected it."""
    from quickbooks.models import Connection

    ahead = settings.QBO_REFRESH_AHEAD_SECONDS
    current = Connection.objects.get(pk=connection_id)
    if current.access_token_fresh(ahead) and current.access_token != rejected:
        return current.access_token
    return _refresh_under_lock(connection_id, rejected=rejected)


def _refresh_under_lock(connection_id: int, *, rejected: str | None) -> str:
    from quickbooks.models import Company, Connection

    failure = None
    with transaction.atomic():
        connection = Connection.objects.select_for_update().select_related("company").get(pk=connection_id)
        if connection.access_token_fresh(settings.QBO_REFRESH_AHEAD_SECONDS) and connection.access_token != rejected:
            return connection.access_token  # another worker refreshed while we waited for the lock
        if not connection.refresh_token:
            failure = ReauthorizationRequired("No refresh token is stored for this company.")
        else:
            try:
                tokens = _token_request({"grant_type": "refresh_token", "refresh_token": connection.refresh_token})
            except ReauthorizationRequired as error:
                failure = error
        if failure is None:
            store_tokens(connection, tokens)
            connection.last_refreshed_at, connection.last_error = timezone.now(), ""
            connection.refresh_count += 1
            connection.save()
            return connection.access_token
        # Recorded in the same transaction, so every worker sees the connection is lost.
        connection.last_error = failure.user_message
        connection.save(update_fields=["last_error", "updated"])
        Company.objects.filter(pk=connection.company_id).update(connection_state=Company.ConnectionState.NEEDS_REAUTH)
    logger.warning("QuickBooks refresh failed for company %s: %s", connection.company_id, failure)
    raise failure


def revoke(connection: "Connection") -> None:
    """Ask Intuit to revoke the grant (refresh token and its access tokens). Best effort: errors are logged."""
    token = connection.refresh_token or connection.access_token
    if not token:
        return
    try:
        response = requests.post(
            endpoints().revoke,
            data=jsonio.body({"token": token}),
            auth=(settings.QBO_CLIENT_ID, settings.QBO_CLIENT_SECRET),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            timeout=settings.QBO_TIMEOUT_SECONDS,
        )
        if response.status_code != 200:
            logger.warning("Intuit's revoke answered %s for company %s", response.status_code, connection.company_id)
    except requests.RequestException as error:
        logger.warning("Could not reach Intuit's revoke endpoint for company %s: %s", connection.company_id, error)
