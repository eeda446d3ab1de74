"""Intuit's API gateway in front of REST and GraphQL: who is calling, for which company, how often.

`api_view` wraps every API view. It checks the bearer token against the realm in the URL (401 and
403 in the gateway's own envelope), then hands the view `request.realm` and `request.grant`.
"""

from functools import wraps

from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .errors import gateway_fault
from .models import OAuthGrant, Realm

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
PROJECTS_SCOPE = "project-management.project"


def authenticate(request, realm_id: str | None):
    """The grant behind the bearer token, or an error response."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None, gateway_fault(401, "Authorization header missing or not a bearer token")
    token = header.removeprefix("Bearer ").strip()
    if len(token) < 20:
        return None, gateway_fault(401, "Malformed bearer token: too short or too long")
    grant = OAuthGrant.objects.select_related("realm").filter(access_token=token).first()
    if grant is None or grant.revoked:
        return None, gateway_fault(401, "Token invalid or revoked")
    if grant.access_expires_at is None or grant.access_expires_at <= timezone.now():
        return None, gateway_fault(401, "Token expired")
    if realm_id is not None and grant.realm.realm_id != realm_id:
        return None, gateway_fault(403, "The access token is not authorized for this company (realm)")
    return grant, None


def api_view(*, scope: str = ACCOUNTING_SCOPE, realm_from_url: bool = True):
    """Decorate an API view taking `realm_id` (REST) or none (GraphQL: the token names the realm)."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            realm_id = kwargs.get("realm_id") if realm_from_url else None
            grant, error = authenticate(request, realm_id)
            if error is not None:
                return error
            if scope not in grant.scopes.split():
                return gateway_fault(403, "The access token does not have sufficient scope")
            request.grant = grant
            request.realm = grant.realm
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def realm_or_none(realm_id: str) -> Realm | None:
    return Realm.objects.filter(realm_id=realm_id).first()
