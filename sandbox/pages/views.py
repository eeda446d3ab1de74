"""The sandbox's pages for people: its index at `/`, and the QuickBooks web app links Costline makes, at `/app/...`.

Intuit's app links (`https://app.qbo.intuit.com/app/invoice?txnId=130`) name a transaction but not the company:
QuickBooks uses the one the browser is signed in to. The sandbox has no sign-in, so it looks the Id up in every
company and shows each match with its company; `realmId` (the sandbox's own addition) narrows it to one.

Pages are rendered without the request, as the consent page is, so the app's context processors stay out.
Each page runs a fixed number of queries however many objects the companies hold (a document page: two more for
each company that has the Id asked for).
"""

from functools import reduce
from operator import or_

from django.db.models import Max, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from .. import codec
from ..control.views import snapshot
from ..graphql.projects import PROJECT_KEY
from ..models import Entity, Realm
from ..oauth.conf import conf
from ..oauth.tokens import KNOWN_SCOPES
from ..rest.entities import TRANSACTIONS, by_segment
from . import documents

ONE_LINE = "A local simulator of the QuickBooks Online APIs Costline uses"
RECENT_CHANGES = 20  # shown on the index, newest first
MAX_ID_DIGITS = 18  # QuickBooks Ids fit a signed 64-bit integer


def page(template: str, context: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(render_to_string(f"sandbox/{template}", {"one_line": ONE_LINE, **context}), status=status)


def problem(title: str, message: str, status: int, hint: str = "") -> HttpResponse:
    """A page that says in words what was asked for and why there is nothing to show."""
    return page("problem.html", {"title": title, "message": message, "hint": hint}, status=status)


# --- the index -----------------------------------------------------------------------------------


def endpoints(request) -> list[dict]:
    """Intuit's endpoints as this sandbox serves them, from its own URL patterns."""
    base = request.build_absolute_uri("/").rstrip("/")
    rest_prefix = reverse("qbo-query", kwargs={"realm_id": "0"}).removesuffix("0/query")  # /v3/company/
    discovery = base + reverse("sandbox-discovery-sandbox")
    return [
        {
            "name": "OAuth authorize",
            "url": base + reverse("sandbox-authorize"),
            "method": "GET",
            "note": "The consent page: pick a company, approve or deny. Intuit: appcenter.intuit.com/connect/oauth2.",
        },
        {
            "name": "OAuth token",
            "url": base + reverse("sandbox-token"),
            "method": "POST",
            "note": "grant_type authorization_code or refresh_token; client credentials by Basic auth or form fields.",
        },
        {
            "name": "OAuth revoke",
            "url": base + reverse("sandbox-revoke"),
            "method": "POST",
            "note": "Revokes the grant of an access or refresh token.",
        },
        {
            "name": "Discovery document",
            "url": discovery,
            "method": "GET",
            "note": "Lists the OAuth endpoints; also at " + base + reverse("sandbox-discovery") + ".",
            "link": True,
        },
        {
            "name": "REST v3 Accounting API",
            "url": f"{base}{rest_prefix}{{realmId}}/…",
            "method": "GET, POST",
            "note": "<entity>, <entity>/<Id>, query?query=…, batch, cdc?entities=…&changedSince=…; "
            "a bearer token for that company.",
        },
        {
            "name": "GraphQL",
            "url": base + reverse("sandbox-graphql"),
            "method": "POST",
            "note": "The Projects and Budgets APIs; the bearer token names the company.",
        },
    ]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def controls(state: dict) -> list[dict]:
    """The /_sandbox/ control API, each with what it holds now."""
    hooks = state["webhooks"]
    limits = ", ".join(f"{k} {'unlimited' if v is None else v}" for k, v in state["limits"].items())
    return [
        {
            "name": "State",
            "url": reverse("sandbox-state"),
            "now": _plural(len(state["recent_changes"]), "recent change", "recent changes"),
            "note": "This page's facts as JSON, with refresh-token rotations and recent changes.",
        },
        {
            "name": "Faults",
            "url": reverse("sandbox-faults"),
            "now": f"{len(state['faults'])} active",
            "note": "POST kind 500, 429, delay or drop (count, path_contains, body_contains, method); DELETE clears.",
        },
        {
            "name": "Webhooks",
            "url": reverse("sandbox-webhooks"),
            "now": f"{_plural(hooks['endpoints'], 'endpoint', 'endpoints')}, "
            f"{_plural(hooks['deliveries'], 'delivery', 'deliveries')}",
            "note": "POST url (and format legacy or cloudevents) to be notified; GET lists what was sent.",
        },
        {
            "name": "Limits",
            "url": reverse("sandbox-limits"),
            "now": limits,
            "note": 'POST new values (null = unlimited) or {"reset": true}.',
        },
        {
            "name": "Companies",
            "url": reverse("sandbox-realms"),
            "now": _plural(len(state["realms"]), "company", "companies"),
            "note": "POST realm_id, name, plan (and scale) to add one.",
        },
        {
            "name": "Reset",
            "url": reverse("sandbox-reset"),
            "now": "",
            "note": "POST: wipe everything and re-seed the demo companies.",
            "post_only": True,
        },
    ]


@require_safe
def index(request):
    """What this is, its companies, the OAuth client it accepts, its endpoints and its controls."""
    state = snapshot()
    plans = dict(Realm.Plan.choices)
    # The newest live transaction of each type in each company, for the counts to link to (one query).
    latest = {
        (row["realm__realm_id"], row["type"]): row["latest"]
        for row in Entity.objects.filter(type__in=TRANSACTIONS, deleted=False)
        .values("realm__realm_id", "type")
        .annotate(latest=Max("qbo_id"))
    }
    realms = []
    for row in state["realms"]:
        counts = []
        for type_, n in sorted(row["entities"].items()):
            newest = latest.get((row["realm_id"], type_))
            url = documents.app_path(type_, newest, row["realm_id"]) if newest else ""
            counts.append({"type": type_, "count": n, "url": url})
        total = sum(row["entities"].values())
        realms.append({**row, "plan_label": plans.get(row["plan"], row["plan"]), "counts": counts, "total": total})
    changes = [
        {
            **change,
            "url": documents.app_path(change["name"], change["id"], change["realm_id"])
            if change["name"] in TRANSACTIONS and change["operation"] != "Delete"
            else "",
        }
        for change in reversed(state["recent_changes"][-RECENT_CHANGES:])
    ]
    stored_types = {type_ for (_, type_) in latest}
    app = conf()
    return page(
        "index.html",
        {
            "realms": realms,
            "client_id": app.client_id,
            "auto_approve_realm": app.auto_approve_realm,
            "scopes": sorted(KNOWN_SCOPES),
            "endpoints": endpoints(request),
            "controls": controls(state),
            "state": state,
            "changes": changes,
            "transaction_types": [
                {"type": type_, "path": f"/app/{type_.lower()}", "stored": type_ in stored_types}
                for type_ in sorted(TRANSACTIONS)
            ],
            "projects_url": reverse("sandbox-app-projects"),
        },
    )


# --- QuickBooks' web app: documents and projects ---------------------------------------------------


@require_safe
def app_home(request):
    """`QBO_APP_URL` itself: QuickBooks' home page is, here, the sandbox's index."""
    return HttpResponseRedirect(reverse("sandbox-index"))


def _link_facts(link: documents.Link, entity: Entity) -> documents.Link:
    document = entity.document
    link.found = True
    link.number = str(document.get("DocNumber") or document.get("PaymentRefNum") or "")
    link.date = str(document.get("TxnDate") or "")
    link.total = documents.money(document["TotalAmt"]) if document.get("TotalAmt") is not None else ""
    return link


def _shown(entity: Entity) -> dict:
    """One matching transaction: read for people, with the transactions it names and those that name it."""
    document, realm_id = entity.document, entity.realm.realm_id
    summary = documents.summary(entity.type, document, realm_id)
    targets = [(t, i) for t, i in documents.link_targets(document) if i.isdigit() and len(i) <= MAX_ID_DIGITS]
    found = {}
    if targets:  # one query for every transaction this one names
        wanted = reduce(or_, (Q(type=t, qbo_id=int(i)) for t, i in targets))
        found = {(e.type, str(e.qbo_id)): e for e in Entity.objects.filter(wanted, realm=entity.realm, deleted=False)}
    for line in summary.lines:
        line.links = [
            _link_facts(link, found[(link.type, link.id)]) if (link.type, link.id) in found else link
            for link in line.links
        ]
    outgoing = []
    for type_, qbo_id in documents.link_targets(document):
        link = documents.Link(type_, qbo_id, documents.app_path(type_, qbo_id, realm_id))
        outgoing.append(_link_facts(link, found[(type_, qbo_id)]) if (type_, qbo_id) in found else link)
    # One query for the transactions that name this one; the substring narrows, `names` decides.
    qbo_id = str(entity.qbo_id)
    mentions = Q(document_json__contains=f'"TxnId":"{qbo_id}"') | Q(document_json__contains=f'"TxnId":{qbo_id}')
    incoming = [
        _link_facts(
            documents.Link(other.type, str(other.qbo_id), documents.app_path(other.type, other.qbo_id, realm_id)), other
        )
        for other in Entity.objects.filter(mentions, realm=entity.realm, type__in=TRANSACTIONS, deleted=False)
        .exclude(pk=entity.pk)
        .order_by("txn_date", "type", "qbo_id")
        if documents.names(other.document, entity.type, qbo_id)
    ]
    return {
        "realm": entity.realm,
        "summary": summary,
        "outgoing": outgoing,
        "incoming": incoming,
        "json": codec.pretty(document),
        "rest_path": f"/v3/company/{realm_id}/{entity.type.lower()}/{qbo_id}",
        "only_url": documents.app_path(entity.type, qbo_id, realm_id),
    }


@require_safe
def document(request, entity: str):
    """`/app/<type>?txnId=<Id>[&realmId=<realm>]`: the transaction as stored, in every company that has it."""
    kind = by_segment(entity)
    if kind is None or kind.name not in TRANSACTIONS:
        known = ", ".join(sorted(t.lower() for t in TRANSACTIONS))
        what = f"{kind.name} is a list, not a transaction" if kind else f"QuickBooks has no transaction type {entity!r}"
        return problem(
            "No such page",
            f"The sandbox shows transactions at /app/<type>?txnId=<Id>, and {what}.",
            404,
            hint=f"Transaction types: {known}.",
        )
    type_label = documents.label(kind.name)
    raw_id, realm_id = request.GET.get("txnId", "").strip(), request.GET.get("realmId", "").strip()
    if not raw_id.isdigit() or len(raw_id) > MAX_ID_DIGITS:
        given = f"{raw_id!r} is not a QuickBooks Id" if raw_id else "no txnId was given"
        return problem(
            f"Which {type_label.lower()}?",
            f"This page shows one {type_label.lower()} by its QuickBooks Id, and {given}.",
            400,
            hint=f"For example /app/{kind.name.lower()}?txnId=1.",
        )
    rows = Entity.objects.filter(type=kind.name, qbo_id=int(raw_id)).select_related("realm")
    if realm_id:
        rows = rows.filter(realm__realm_id=realm_id)
    rows = list(rows.order_by("realm__name", "realm__realm_id"))
    live = [row for row in rows if not row.deleted]
    if not live:
        return _not_found(type_label, raw_id, realm_id, [row for row in rows if row.deleted])
    matches = [_shown(row) for row in live]
    return page(
        "document.html",
        {
            "type_label": type_label,
            "qbo_id": raw_id,
            "matches": matches,
            "several": len(matches) > 1,
            "title": matches[0]["summary"].title
            if len(matches) == 1
            else f"{type_label} Id {raw_id}, in {len(matches)} companies",
        },
    )


def _not_found(type_label: str, qbo_id: str, realm_id: str, deleted: list[Entity]) -> HttpResponse:
    where = "this company" if realm_id else "any of this sandbox's companies"
    if realm_id and not Realm.objects.filter(realm_id=realm_id).exists():
        message = f"This sandbox has no company with realm Id {realm_id}."
    elif deleted:
        gone = "; ".join(
            f"{row.realm.name} ({row.realm.realm_id}) on {row.updated_at:%Y-%m-%d %H:%M} UTC" for row in deleted
        )
        message = f"{type_label} {qbo_id} was deleted in {gone}. QuickBooks no longer shows it."
    else:
        message = f"There is no {type_label.lower()} with Id {qbo_id} in {where}."
    return problem(f"{type_label} {qbo_id} not found", message, 404)


def _project_row(entity: Entity) -> dict:
    document = entity.document
    extra = document.get(PROJECT_KEY) or {}
    status = str(extra.get("status") or "")
    return {
        "id": document.get("Id"),
        "name": document.get("DisplayName"),
        "customer": documents.ref_name(document.get("ParentRef")),
        "status": "Deleted" if extra.get("deleted") else status.replace("_", " ").capitalize(),
        "start": str(extra.get("startDate") or "")[:10],
        "due": str(extra.get("dueDate") or "")[:10],
        "completion": extra.get("completionRate"),
        "active": document.get("Active") is not False,
    }


@require_safe
def projects(request):
    """`/app/projects`: each company's projects (sub-customers with IsProject), as QuickBooks' Projects list."""
    # Every company's projects at once, by the column `sandbox.store` keeps (IsProject true).
    found: dict[int, list[dict]] = {}
    for entity in Entity.objects.filter(type="Customer", deleted=False, is_project=True).order_by("name"):
        found.setdefault(entity.realm_id, []).append(_project_row(entity))
    realms = [
        {"realm": realm, "projects": found.get(realm.pk, [])} for realm in Realm.objects.order_by("name", "realm_id")
    ]
    return page("projects.html", {"realms": realms, "title": "Projects"})
