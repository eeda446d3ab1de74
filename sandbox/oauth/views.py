"""Intuit's OAuth 2.0 endpoints (docs/quickbooks-api.md, OAuth tokens), served relative to the sandbox base URL."""

import base64
import binascii
import logging
import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import codec
from ..gateway import authenticate, take_fault
from ..models import FaultRule, OAuthGrant, Realm
from . import tokens
from .conf import conf

logger = logging.getLogger(__name__)
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"


# --- consent page -------------------------------------------------------------------------------


def _authorization_problem(params) -> str:
    """Why an authorization request cannot be served (shown as a page, never redirected), or ""."""
    if params.get("client_id") != conf().client_id:
        return "Unknown client_id: this sandbox only knows the app configured by QBO_SANDBOX_CLIENT_ID."
    if params.get("response_type") != "code":
        return "response_type must be 'code'."
    scopes = params.get("scope", "").split()
    if not scopes:
        return "scope is required."
    unknown = sorted(set(scopes) - tokens.KNOWN_SCOPES)
    if unknown:
        return f"Unknown scope: {' '.join(unknown)}."
    if urlsplit(params.get("redirect_uri", "")).scheme not in ("http", "https"):
        return "redirect_uri must be an absolute http(s) URL."
    return ""


def _page(template: str, context: dict, status: int = 200) -> HttpResponse:
    # Rendered without the request so the app's context processors (users, sessions) stay out of it.
    return HttpResponse(render_to_string(template, context), status=status)


def _redirect(redirect_uri: str, params: dict) -> HttpResponseRedirect:
    """`redirect_uri` with `params` added to whatever query it already has."""
    parts = urlsplit(redirect_uri)
    query = urlencode(parse_qsl(parts.query) + [(k, v) for k, v in params.items() if v is not None])
    return HttpResponseRedirect(urlunsplit(parts._replace(query=query)))


def _consent(params, error: str = "", status: int = 200) -> HttpResponse:
    fields = {k: params.get(k, "") for k in ("client_id", "response_type", "scope", "redirect_uri", "state")}
    context = {
        "fields": fields,
        "scopes": fields["scope"].split(),
        "realms": Realm.objects.order_by("name"),
        "error": error,
    }
    return _page("sandbox/consent.html", context, status)


@csrf_exempt  # no sessions in the sandbox; `state` protects the app, as with Intuit
@require_http_methods(["GET", "POST"])
def authorize(request):
    """Intuit's consent page, appcenter.intuit.com/connect/oauth2: pick a company, then Approve or Deny."""
    params = request.GET if request.method == "GET" else request.POST
    problem = _authorization_problem(params)
    if problem:
        return _page("sandbox/oauth_error.html", {"error": problem}, status=400)
    if request.method == "GET" and params.get("prompt") == "none":
        return _approve_silently(params)
    if request.method == "GET":
        return _consent(params)
    state = params.get("state")
    if params.get("decision") != "approve":
        return _redirect(params["redirect_uri"], {"error": "access_denied", "state": state})
    realm = Realm.objects.filter(realm_id=params.get("realm_id", "")).first()
    if realm is None:
        return _consent(params, error="Choose a company to connect.", status=400)
    return _approved(params, realm)


def _approve_silently(params) -> HttpResponse:
    """OpenID Connect's prompt=none: no page. Only a realm configured as already consented is approved."""
    realm = Realm.objects.filter(realm_id=conf().auto_approve_realm).first() if conf().auto_approve_realm else None
    if realm is None:
        return _redirect(params["redirect_uri"], {"error": "consent_required", "state": params.get("state")})
    return _approved(params, realm)


def _approved(params, realm) -> HttpResponse:
    state = params.get("state")
    grant = tokens.start_grant(realm, params["client_id"], params["scope"], params["redirect_uri"])
    # realmId only comes back for the Accounting and Payments scopes (docs/quickbooks-api.md, OAuth tokens).
    realm_id = realm.realm_id if tokens.ACCOUNTING_SCOPES & set(grant.scopes.split()) else None
    return _redirect(grant.redirect_uri, {"code": grant.code, "state": state, "realmId": realm_id})


# --- token endpoint -----------------------------------------------------------------------------


def oauth_json(body, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        codec.dumps(body) if body is not None else "", status=status, content_type="application/json;charset=UTF-8"
    )
    response["intuit_tid"] = str(uuid.uuid4())
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def oauth_error(error: str, description: str = "", status: int = 400) -> HttpResponse:
    body = {"error": error, **({"error_description": description} if description else {})}
    response = oauth_json(body, status)
    if error == "invalid_client":
        response["WWW-Authenticate"] = 'Basic realm="Intuit"'
    return response


def _client_credentials(request) -> tuple[str, str]:
    """client_secret_basic (Intuit's default) or client_secret_post."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        return client_id, secret
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


def _client_ok(request) -> str | None:
    """The authenticated client id, or None."""
    client_id, secret = _client_credentials(request)
    settings = conf()
    return client_id if (client_id, secret) == (settings.client_id, settings.client_secret) else None


def _token_response(request, grant: OAuthGrant) -> HttpResponse:
    body = {
        "token_type": "bearer",
        "access_token": grant.access_token,
        "refresh_token": grant.refresh_token,
        "expires_in": conf().access_token_ttl,
        "x_refresh_token_expires_in": tokens.seconds_until(grant.refresh_expires_at),
    }
    if request.headers.get(HARD_EXPIRY_HEADER, "").lower() == "true":
        body["x_refresh_token_hard_expires_in"] = tokens.seconds_until(tokens.hard_expiry(grant))
    return oauth_json(body)


def _exchange_code(request, client_id: str) -> HttpResponse:
    code, redirect_uri = request.POST.get("code"), request.POST.get("redirect_uri")
    if not code or not redirect_uri:
        return oauth_error("invalid_request", "code and redirect_uri are required")
    with transaction.atomic(using="sandbox"):
        grant = OAuthGrant.objects.select_for_update().filter(code=code).first()
        if grant is None or grant.revoked or grant.client_id != client_id or grant.code_expires_at < timezone.now():
            return oauth_error("invalid_grant", "Invalid or expired authorization code")
        if grant.redirect_uri != redirect_uri:
            return oauth_error("invalid_grant", "redirect_uri does not match the authorization request")
        grant.code = None  # single use: a second exchange finds nothing
        tokens.issue_pair(grant)
        grant.save()
    return _token_response(request, grant)


def _refresh(request, client_id: str) -> HttpResponse:
    old = request.POST.get("refresh_token")
    if not old:
        return oauth_error("invalid_request", "refresh_token is required")
    with transaction.atomic(using="sandbox"):
        grant = OAuthGrant.objects.select_for_update().filter(refresh_token=old).first()
        now = timezone.now()
        if grant is None or grant.revoked or grant.client_id != client_id or grant.refresh_expires_at <= now:
            # Unknown or superseded token: invalid_grant, in Intuit's words (docs/quickbooks-api.md, OAuth tokens).
            logger.info("refresh refused: %s", "not found" if grant is None else "revoked, foreign or expired")
            return oauth_error("invalid_grant", "Incorrect or invalid refresh token")
        tokens.supersede(grant)
        tokens.issue_pair(grant)
        grant.save()
    return _token_response(request, grant)


@csrf_exempt
@require_POST
def token(request):
    """Intuit's token endpoint, oauth.platform.intuit.com/oauth2/v1/tokens/bearer.

    Test faults apply here too: a delay (two workers racing a refresh), a 500 or a 429 before anything is done.
    """
    fault = take_fault(request)
    if fault is not None and fault.kind == FaultRule.Kind.DELAY:
        time.sleep(fault.delay_seconds)
    elif fault is not None and fault.kind in (FaultRule.Kind.ERROR_500, FaultRule.Kind.THROTTLE_429):
        return oauth_error(
            "server_error" if fault.kind == FaultRule.Kind.ERROR_500 else "too_many_requests",
            "injected by the sandbox (/_sandbox/faults)",
            status=int(fault.kind),
        )
    client_id = _client_ok(request)
    if client_id is None:
        return oauth_error("invalid_client", status=401)
    grant_type = request.POST.get("grant_type")
    if grant_type == "authorization_code":
        return _exchange_code(request, client_id)
    if grant_type == "refresh_token":
        return _refresh(request, client_id)
    return oauth_error("unsupported_grant_type")


def _revoke_param(request) -> str:
    if request.content_type == "application/json":
        try:
            return str(codec.loads(request.body or b"{}").get("token") or "")
        except (ValueError, AttributeError):
            return ""
    return request.POST.get("token", "")


@csrf_exempt
@require_POST
def revoke(request):
    """Intuit's revocation endpoint, developer.api.intuit.com/v2/oauth2/tokens/revoke."""
    if _client_ok(request) is None:
        return oauth_error("invalid_client", status=401)
    value = _revoke_param(request)
    if not value:
        return oauth_error("invalid_request", "token is required")
    grant = tokens.grant_for_any_token(value)
    if grant is not None:
        OAuthGrant.objects.filter(pk=grant.pk).update(revoked=True)
    # RFC 7009: unknown tokens are not an error; Intuit answers 200 either way.
    return oauth_json(None)


# --- discovery and OpenID -----------------------------------------------------------------------


@require_GET
def discovery(request):
    """Intuit's discovery document, developer.intuit.com/.well-known/openid_sandbox_configuration."""
    base = request.build_absolute_uri("/").rstrip("/")
    return oauth_json(
        {
            "issuer": f"{base}/op/v1",
            "authorization_endpoint": f"{base}/connect/oauth2",
            "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
            "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
            "revocation_endpoint": f"{base}/oauth2/v1/tokens/revoke",
            "jwks_uri": f"{base}/op/v1/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": sorted(tokens.KNOWN_SCOPES),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
        }
    )


@require_GET
def jwks(request):
    """Intuit's key set, oauth.platform.intuit.com/op/v1/jwks: empty, as the sandbox signs no id_tokens."""
    return oauth_json({"keys": []})


@require_GET
def userinfo(request):
    """Intuit's OpenID userinfo, sandbox-accounts.platform.intuit.com/v1/openid_connect/userinfo."""
    grant, error = authenticate(request, None)
    if error is not None:
        return error
    if "openid" not in grant.scopes.split():
        return oauth_error("insufficient_scope", "the openid scope was not granted", status=403)
    return oauth_json(
        {
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-user:{grant.realm.realm_id}")),
            "email": "sandbox@costline.local",
            "emailVerified": True,
            "givenName": "Sandbox",
            "familyName": "User",
        }
    )
