"""Intuit's API gateway in front of REST and GraphQL: who is calling, for which company, how often.

`api_view` wraps every API view. It checks the bearer token against the realm in the URL (401 and
403 in the gateway's own envelope), then hands the view `request.realm` and `request.grant`. After
that, in this order: injected faults (FaultRule rows set through /_sandbox/faults), Intuit's rate
limits (docs/quickbooks-api.md, Limits), and `requestid` replay for writes (Writes).
"""

import os
import threading
import time
import uuid
from collections import defaultdict, deque
from functools import wraps

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .errors import QBOFault, gateway_fault, throttled
from .models import FaultRule, OAuthGrant, RequestReplay

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
PROJECTS_SCOPE = "project-management.project"

# Set in the WSGI environ when a "drop" fault fired: `sandbox.server` then closes the connection
# instead of writing the response, after the view has committed.
DROP_FLAG = "sandbox.drop_response"


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
            return _guarded(view, request, args, kwargs)

        return wrapper

    return decorator


def is_batch(request) -> bool:
    return request.path.rstrip("/").endswith("/batch")


def _guarded(view, request, args, kwargs) -> HttpResponse:
    """Faults, then limits, then the view (through requestid replay)."""
    fault = take_fault(request)
    kind = fault.kind if fault else None
    if kind == FaultRule.Kind.ERROR_500:
        return system_fault().response()
    if kind == FaultRule.Kind.THROTTLE_429:
        return throttled()
    if kind == FaultRule.Kind.DELAY:
        time.sleep(fault.delay_seconds)
    if not limiter.admit(request.realm.realm_id, request.grant.client_id, is_batch(request)):
        return throttled()
    response = _with_replay(view, request, args, kwargs)
    if kind == FaultRule.Kind.DROP_RESPONSE:
        request.META[DROP_FLAG] = True
    return response


# --- fault injection ----------------------------------------------------------------------------


def take_fault(request) -> FaultRule | None:
    """The oldest matching rule with requests left, decremented atomically (threads race for the last one)."""
    for rule in FaultRule.objects.filter(remaining__gt=0).order_by("id"):
        if rule.method and rule.method.upper() != request.method:
            continue
        if rule.path_contains and rule.path_contains not in request.path:
            continue
        if rule.body_contains and rule.body_contains.encode() not in request.body:
            continue
        if FaultRule.objects.filter(pk=rule.pk, remaining__gt=0).update(
            remaining=F("remaining") - 1, served=F("served") + 1
        ):
            return rule
    return None


def system_fault() -> QBOFault:
    """Intuit's 500: a SystemFault that clients should resubmit once (docs/quickbooks-api.md, Error bodies)."""
    return QBOFault(
        10000,
        "An application error has occurred while processing your request",
        "System Failure Error: injected by the sandbox (/_sandbox/faults)",
        status=500,
        fault_type="SystemFault",
    )


# --- rate limits --------------------------------------------------------------------------------

LIMIT_NAMES = {  # name -> (environment variable, Intuit's number)
    "per_minute": ("QBO_SANDBOX_RATE_PER_MINUTE", 500),  # per realm
    "per_second": ("QBO_SANDBOX_RATE_PER_SECOND", 10),  # per realm + app
    "batch_per_minute": ("QBO_SANDBOX_RATE_BATCH_PER_MINUTE", 40),  # per realm + app, batch requests only
}


def _limit_from_env(name: str) -> int | None:
    variable, default = LIMIT_NAMES[name]
    raw = os.environ.get(variable, "").strip().lower()
    if raw in ("off", "none"):
        return None
    return int(raw) if raw else default


class RateLimiter:
    """Sliding-window request logs per realm (and app), shared by the server's threads under one lock.

    The sandbox runs as one threaded process, so process memory is the single source of truth;
    runtime overrides (from /_sandbox/limits) win over the environment until `reset`.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._hits: dict[tuple, deque] = defaultdict(deque)
        self._overrides: dict[str, int | None] = {}
        self._traffic: dict[str, dict[str, int]] = {}

    def traffic(self) -> dict[str, dict[str, int]]:
        """Per realm since counting started afresh: requests admitted and throttled, and the most admitted in any
        one second (per app) and any one minute: what a client's own throttle is measured against."""
        with self._lock:
            return {realm_id: dict(counts) for realm_id, counts in self._traffic.items()}

    def limits(self) -> dict:
        with self._lock:
            overrides = dict(self._overrides)
        return {name: overrides[name] if name in overrides else _limit_from_env(name) for name in LIMIT_NAMES}

    def configure(self, values: dict) -> dict:
        """Override some limits (None = unlimited) and start counting afresh."""
        unknown = set(values) - set(LIMIT_NAMES)
        if unknown:
            raise ValueError(f"unknown limits: {', '.join(sorted(unknown))}")
        for name, value in values.items():
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"{name} must be a non-negative integer or null")
        with self._lock:
            self._overrides.update(values)
            self._hits.clear()
            self._traffic.clear()
        return self.limits()

    def reset(self) -> None:
        with self._lock:
            self._overrides.clear()
            self._hits.clear()
            self._traffic.clear()

    def admit(self, realm_id: str, client_id: str, batch: bool) -> bool:
        """Count this request if every window has room; a throttled request is not counted."""
        limits, now = self.limits(), time.monotonic()
        windows = [
            (("minute", realm_id), 60, limits["per_minute"]),
            (("second", realm_id, client_id), 1, limits["per_second"]),
        ]
        if batch:
            windows.append((("batch", realm_id, client_id), 60, limits["batch_per_minute"]))
        with self._lock:
            counts = self._traffic.setdefault(
                realm_id, {"requests": 0, "throttled": 0, "peak_second": 0, "peak_minute": 0}
            )
            for key, span, limit in windows:
                hits = self._hits[key]
                while hits and hits[0] <= now - span:
                    hits.popleft()
                if limit is not None and len(hits) >= limit:
                    counts["throttled"] += 1
                    return False
            for key, _span, _limit in windows:
                self._hits[key].append(now)
            counts["requests"] += 1
            counts["peak_minute"] = max(counts["peak_minute"], len(self._hits[windows[0][0]]))
            counts["peak_second"] = max(counts["peak_second"], len(self._hits[windows[1][0]]))
        return True


limiter = RateLimiter()


# --- requestid replay ---------------------------------------------------------------------------

PENDING = 0  # RequestReplay.status while the first request with that id is still running
REPLAY_WAIT_SECONDS = 30


def _with_replay(view, request, args, kwargs) -> HttpResponse:
    """Run the view once per (realm, requestid); later requests with the id get the first response."""
    request_id = request.GET.get("requestid") if request.method == "POST" else None
    if not request_id:
        return view(request, *args, **kwargs)
    longest = 36 if is_batch(request) else 50  # docs/quickbooks-api.md, REST requests (36 on a batch)
    if len(request_id) > longest:
        # Intuit's answer to an over-long id is undocumented; refusing loudly keeps clients honest.
        return QBOFault(
            4000, "Invalid requestid", f"requestid is longer than {longest} characters", element="requestid"
        ).response()
    if not _claim(request.realm, request_id):
        return _replay(request.realm, request_id)
    try:
        response = view(request, *args, **kwargs)
    except BaseException:
        RequestReplay.objects.filter(realm=request.realm, request_id=request_id, status=PENDING).delete()
        raise
    replays = RequestReplay.objects.filter(realm=request.realm, request_id=request_id)
    if response.streaming:  # no body to keep: let a retry run again rather than replay nothing
        replays.delete()
        return response
    replays.update(
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=response.content.decode("utf-8", errors="replace"),
    )
    return response


def _claim(realm, request_id: str) -> bool:
    """True if this request is the first with the id (a unique row makes threads agree)."""
    try:
        with transaction.atomic(using="sandbox"):
            RequestReplay.objects.create(realm=realm, request_id=request_id, status=PENDING, content_type="", body="")
    except IntegrityError:
        return False
    return True


def _replay(realm, request_id: str) -> HttpResponse:
    """The stored first response, waiting while that first request is still running."""
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    while True:
        stored = RequestReplay.objects.filter(realm=realm, request_id=request_id).first()
        if stored is None:
            return system_fault().response()  # the first request failed and released the id: resubmit
        if stored.status != PENDING:
            response = HttpResponse(stored.body, status=stored.status, content_type=stored.content_type)
            response["intuit_tid"] = str(uuid.uuid4())
            return response
        if time.monotonic() > deadline:
            return system_fault().response()
        time.sleep(0.05)
