"""POST batch: up to 30 operations and queries in one call, run one after another (docs/quickbooks-api.md, Batch)."""

from ..errors import QBOFault
from ..models import Realm
from . import query, search, writes
from .entities import KINDS
from .faults import batch_too_large, malformed_body, required_param, unsupported_operation

MAX_ITEMS = 30  # current Intuit pages; older ones said 10, the sandbox chooses 30 (docs/quickbooks-api.md, Batch)
ITEM_KEYS = {"bId", "operation", "optionsData", "Query"}


def run(realm: Realm, body: dict) -> dict:
    """The BatchItemResponse body; each item answers on its own, with a Fault when it fails."""
    items = body.get("BatchItemRequest")
    if not isinstance(items, list) or not items:
        raise required_param("BatchItemRequest")
    if len(items) > MAX_ITEMS:
        raise batch_too_large(len(items), MAX_ITEMS)
    return {"BatchItemResponse": [_item(realm, item) for item in items]}


def _item(realm: Realm, item) -> dict:
    b_id = str(item.get("bId", "")) if isinstance(item, dict) else ""
    try:
        if not isinstance(item, dict):
            raise malformed_body("BatchItemRequest item")
        if "Query" in item:
            return {"bId": b_id, "QueryResponse": search.run(realm, query.parse(item["Query"]))}
        return {"bId": b_id, **_write(realm, item)}
    except QBOFault as fault:
        return {"bId": b_id, "Fault": fault.body()["Fault"]}


def _write(realm: Realm, item: dict) -> dict:
    names = [key for key in item if key not in ITEM_KEYS]
    if len(names) != 1 or names[0] not in KINDS:
        raise unsupported_operation(f"batch item with {', '.join(names) or 'no entity'}")
    if item.get("optionsData"):
        raise unsupported_operation(f"optionsData {item['optionsData']}")
    kind = KINDS[names[0]]
    if not isinstance(item[kind.name], dict):
        raise malformed_body(kind.name)
    operation = item.get("operation") or "create"
    return {kind.name: writes.apply(realm, kind, item[kind.name], operation)}
