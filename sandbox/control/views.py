"""The sandbox's own control API (no Intuit counterpart): what tests and the demo use to steer it."""

from functools import wraps

from django.db.models import Count
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import codec, events
from ..gateway import limiter
from ..models import Entity, FaultRule, OAuthGrant, Realm, SupersededRefreshToken, WebhookDelivery, WebhookEndpoint
from ..oauth.conf import conf
from ..rest import company
from ..scale import seed_scale
from ..webhooks import dispatcher
from . import services


def reply(body, status: int = 200) -> HttpResponse:
    return HttpResponse(codec.dumps(body), status=status, content_type="application/json")


class BadRequest(Exception):
    pass


def read_json(request) -> dict:
    try:
        body = codec.loads(request.body or b"{}")
    except ValueError as exc:
        raise BadRequest(f"body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body


def control_view(methods):
    """csrf-exempt, method-checked, BadRequest answered as 400 JSON."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except BadRequest as exc:
                return reply({"error": str(exc)}, status=400)

        return csrf_exempt(require_http_methods(methods)(wrapper))

    return decorator


def fault_json(rule: FaultRule) -> dict:
    return {
        "id": rule.pk,
        "kind": rule.kind,
        "remaining": rule.remaining,
        "served": rule.served,
        "delay_seconds": rule.delay_seconds,
        "path_contains": rule.path_contains,
        "body_contains": rule.body_contains,
        "method": rule.method,
    }


@control_view(["GET", "POST", "DELETE"])
def faults(request):
    """Sandbox only: add (POST), list (GET) or clear (DELETE) injected faults: 500, 429, delay, drop.

    GET lists the rules with requests left; `?all=1` lists every rule with how many requests it has `served`.
    """
    if request.method == "DELETE":
        FaultRule.objects.all().delete()
    elif request.method == "POST":
        body = read_json(request)
        if body.get("kind") not in FaultRule.Kind.values:
            raise BadRequest(f"kind must be one of {FaultRule.Kind.values}")
        try:
            rule = FaultRule.objects.create(
                kind=body["kind"],
                remaining=int(body.get("count", body.get("remaining", 1))),
                delay_seconds=float(body.get("delay_seconds", 0)),
                path_contains=str(body.get("path_contains", "")),
                body_contains=str(body.get("body_contains", "")),
                method=str(body.get("method", "")).upper(),
            )
        except (TypeError, ValueError) as exc:
            raise BadRequest(str(exc)) from None
        return reply(fault_json(rule), status=201)
    rules = FaultRule.objects.all() if request.GET.get("all") else FaultRule.objects.filter(remaining__gt=0)
    return reply({"faults": [fault_json(r) for r in rules.order_by("id")]})


@control_view(["GET", "POST"])
def limits(request):
    """Sandbox only: read or change the rate limits (null = unlimited; {"reset": true} = back to defaults), with the
    traffic each realm sent since they were last set: requests, throttled, peak in a second and in a minute. A POST
    (even `{}`) starts the windows and the traffic afresh."""
    if request.method == "POST":
        body = read_json(request)
        if body.pop("reset", False):
            limiter.reset()
        try:
            limiter.configure(body)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    return reply({"limits": limiter.limits(), "traffic": limiter.traffic()})


def delivery_json(delivery: WebhookDelivery) -> dict:
    return {
        "id": delivery.pk,
        "url": delivery.endpoint.url,
        "format": delivery.endpoint.format,
        "body": codec.loads(delivery.body),
        "signature": delivery.signature,
        "status_code": delivery.status_code,
        "error": delivery.error,
        "attempts": delivery.attempts,
        "created": delivery.created.isoformat(),
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
    }


def _register_endpoint(body: dict) -> WebhookEndpoint:
    url, fmt = body.get("url"), body.get("format", WebhookEndpoint.Format.LEGACY)
    if not url or not str(url).startswith(("http://", "https://")):
        raise BadRequest("url must be an http(s) URL")
    if fmt not in WebhookEndpoint.Format.values:
        raise BadRequest(f"format must be one of {WebhookEndpoint.Format.values}")
    endpoint, _ = WebhookEndpoint.objects.update_or_create(
        url=url,
        defaults={
            "format": fmt,
            "active": bool(body.get("active", True)),
            "verifier_token": body.get("verifier_token") or conf().webhook_verifier,
        },
    )
    return endpoint


@control_view(["GET", "POST", "DELETE"])
def webhooks(request):
    """Sandbox only: register an endpoint (POST url, format), list endpoints and deliveries, or remove all."""
    if request.method == "POST":
        endpoint = _register_endpoint(read_json(request))
        return reply({"id": endpoint.pk, "url": endpoint.url, "format": endpoint.format}, status=201)
    if request.method == "DELETE":
        WebhookEndpoint.objects.all().delete()
    elif request.GET.get("wait"):  # ?wait=5: let gathered changes go out first
        dispatcher.wait_idle(float(request.GET["wait"]))
    endpoints = [
        {"id": e.pk, "url": e.url, "format": e.format, "active": e.active}
        for e in WebhookEndpoint.objects.order_by("id")
    ]
    deliveries = WebhookDelivery.objects.select_related("endpoint").order_by("-id")[:100]
    return reply({"endpoints": endpoints, "deliveries": [delivery_json(d) for d in deliveries]})


def _scale(realm: Realm, scale) -> dict:
    if not scale:
        return {}
    try:
        customers, transactions = int(scale["customers"]), int(scale["transactions"])
    except (KeyError, TypeError, ValueError) as error:
        raise BadRequest("scale takes whole numbers of customers and transactions") from error
    return seed_scale(realm, customers=customers, transactions=transactions)


@control_view(["GET", "POST"])
def realms(request):
    """Sandbox only: list companies, or add one (POST realm_id, name, plan) without the demo seed; with
    `"scale": {"customers": n, "transactions": m}` it is filled with generated books (`sandbox.scale`), and
    `"custom_txn_numbers": true|false` sets its Preferences.SalesFormsPrefs.CustomTxnNumbers (default false)."""
    if request.method == "POST":
        body = read_json(request)
        if not body.get("realm_id") or not body.get("name"):
            raise BadRequest("realm_id and name are required")
        if body.get("plan", Realm.Plan.ADVANCED) not in Realm.Plan.values:
            raise BadRequest(f"plan must be one of {Realm.Plan.values}")
        custom_numbers = body.get("custom_txn_numbers")
        if custom_numbers not in (None, True, False):
            raise BadRequest("custom_txn_numbers must be true or false")
        realm, _ = Realm.objects.update_or_create(
            realm_id=str(body["realm_id"]),
            defaults={"name": body["name"], "plan": body.get("plan", Realm.Plan.ADVANCED)},
        )
        if custom_numbers is not None:
            company.set_custom_txn_numbers(realm, custom_numbers)
        added = _scale(realm, body.get("scale"))
        return reply({**_realm_json(realm), "added": added}, status=201)
    return reply({"realms": [_realm_json(r) for r in Realm.objects.order_by("name")]})


def _realm_json(realm: Realm) -> dict:
    """A company as the control API shows it; `custom_txn_numbers` is its Preferences.SalesFormsPrefs setting."""
    return {
        "realm_id": realm.realm_id,
        "name": realm.name,
        "plan": realm.plan,
        "custom_txn_numbers": company.custom_txn_numbers(realm),
    }


def snapshot() -> dict:
    """Companies with object counts per entity type, grants, faults, limits, webhooks and recent changes.

    A fixed number of queries however many objects and companies: what /_sandbox/state answers and the
    sandbox's index page shows.
    """
    counts: dict[str, dict] = {}
    for row in Entity.objects.filter(deleted=False).values("realm__realm_id", "type").annotate(n=Count("id")):
        counts.setdefault(row["realm__realm_id"], {})[row["type"]] = row["n"]
    rotations = dict(
        SupersededRefreshToken.objects.values_list("grant__realm__realm_id")
        .annotate(n=Count("id"))
        .values_list("grant__realm__realm_id", "n")
    )
    realm_rows = [
        {
            "realm_id": r.realm_id,
            "name": r.name,
            "plan": r.plan,
            "entities": counts.get(r.realm_id, {}),
            "refresh_rotations": rotations.get(r.realm_id, 0),  # refresh tokens a refresh has replaced
        }
        for r in Realm.objects.order_by("name")
    ]
    changes = [
        {"realm_id": c.realm_id, "name": c.name, "id": c.id, "operation": c.operation, "at": c.at.isoformat()}
        for c in events.recent_changes()[-50:]
    ]
    return {
        "realms": realm_rows,
        "grants": {
            "active": OAuthGrant.objects.filter(revoked=False).count(),
            "revoked": OAuthGrant.objects.filter(revoked=True).count(),
        },
        "faults": [fault_json(r) for r in FaultRule.objects.filter(remaining__gt=0).order_by("id")],
        "limits": limiter.limits(),
        "webhooks": {"endpoints": WebhookEndpoint.objects.count(), "deliveries": WebhookDelivery.objects.count()},
        "recent_changes": changes,
    }


@require_GET
def state(request):
    """Sandbox only: companies with object counts, grants, faults, limits, webhooks, recent changes."""
    return reply(snapshot())


@csrf_exempt
@require_POST
def reset(request):
    """Sandbox only: wipe all sandbox state and re-seed the demo companies."""
    message = services.reset()
    return reply({"reset": True, "seed": message, "realms": list(Realm.objects.values_list("realm_id", flat=True))})
