"""GET cdc: what changed since a moment, per entity, deleted objects as stubs.

See docs/quickbooks-api.md, Change Data Capture.
"""

from datetime import timedelta

from django.utils import timezone

from ..errors import QBOFault
from ..models import Entity, Realm
from ..timefmt import intuit_time, parse_intuit_time
from . import changeorders
from .entities import by_segment
from .faults import required_param, unsupported_operation
from .public import public_json

MAX_OBJECTS = 1000  # shared across all requested entities
LOOK_BACK = timedelta(days=30)


def run(realm: Realm, entities: str, changed_since: str) -> dict:
    """The CDCResponse body."""
    kinds = _kinds(realm, entities)
    since = _since(changed_since)
    budget, answers = MAX_OBJECTS, []
    for kind in kinds:
        changed = _changed(realm, kind.name, since, budget)
        budget -= len(changed)
        answers.append({kind.name: changed, "startPosition": 1, "maxResults": len(changed)} if changed else {})
    return {"CDCResponse": [{"QueryResponse": answers}]}


def _kinds(realm: Realm, entities: str) -> list:
    names = [name.strip() for name in (entities or "").split(",") if name.strip()]
    if not names:
        raise required_param("entities")
    kinds = []
    for name in names:
        kind = by_segment(name)
        if kind is None or not kind.cdc:
            raise unsupported_operation(f"cdc for entity {name}")
        if kind.advanced_only:
            changeorders.require_entitlement(realm)
        kinds.append(kind)
    return kinds


def _since(changed_since: str):
    if not changed_since:
        raise required_param("changedSince")
    try:
        since = parse_intuit_time(changed_since)
    except ValueError:
        raise QBOFault(
            2010,
            "Request has invalid or unsupported property",
            f"Property Name:changedSince={changed_since} specified is unsupported or invalid",
        ) from None
    if timezone.now() - since > LOOK_BACK:
        # Past the 30 days (docs/quickbooks-api.md, Change Data Capture), in the words Intuit answers with.
        raise unsupported_operation(f"cdc with changedSince date {changed_since} which is older than fixed days")
    return since


def _changed(realm: Realm, type_: str, since, budget: int) -> list:
    """Live objects by last update, then deleted ones as stubs; at most `budget` in all."""
    rows = Entity.objects.filter(realm=realm, type=type_, updated_at__gte=since).order_by("updated_at", "qbo_id")
    live = [public_json(text) for text in rows.filter(deleted=False).values_list("document_json", flat=True)[:budget]]
    gone = rows.filter(deleted=True).values_list("qbo_id", "updated_at")[: max(budget - len(live), 0)]
    stubs = [
        {"status": "Deleted", "domain": "QBO", "Id": str(qbo_id), "MetaData": {"LastUpdatedTime": intuit_time(moment)}}
        for qbo_id, moment in gone
    ]
    return live + stubs
