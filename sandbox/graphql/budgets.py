"""Resolvers of the project Budget GraphQL API (Intuit use case 6: businessPlanning* operations).

A budget is a `GraphObject` (type "Budget") whose document holds the budget and its lines. Rules, from
docs/quickbooks-api.md (Budgets, Budget rules): one budget per project (PNB-INPUT-72), the linked entity
must be a live project (PNB-INPUT-75), state defaults to LOCKED and LOCKED -> DRAFT is refused (PNB-INPUT-85),
a deleted budget answers PNB-INPUT-024 to everything, companies without the API answer PNB-PCBM-008. The server
assigns line sequenceIds; updates merge lines by sequenceId; totals and amounts are computed, in Decimal.
Not simulated: PNB-INPUT-87 (projects have no cost method in the sandbox) and checks of itemId/accountId.
"""

import base64
import binascii

from django.utils import timezone

from sandbox import store
from sandbox.codec import money
from sandbox.errors import QBOFault
from sandbox.models import GraphObject

from .errors import atomic_resolver, budget_error
from .projects import PROJECT_KEY, is_project
from .scalars import format_datetime

BUDGET = "Budget"
ID_BASE = 100_000_000  # Intuit's budget ids look like 100000001
DELETED_DESCRIPTION = "Delete budget successful."  # Budget rules; the fixture shows "Budget deleted successfully"
DETAIL_CURSOR = "budgetDetail:"  # the fixture's cursor "YnVkZ2V0RGV0YWlsOjE=" is base64("budgetDetail:1")
LINE_FIELDS = (
    "order",
    "type",
    "itemId",
    "unitCost",
    "quantity",
    "amount",
    "description",
    "date",
    "accountId",
    "klassId",
    "locationId",
    "dimensions",
    "customFields",
)
EMPTY_LINE = {**dict.fromkeys(LINE_FIELDS), "dimensions": [], "customFields": []}


def _guard(info):
    """Budgets are for US QuickBooks Advanced companies (and IES); others get PNB-PCBM-008."""
    realm = info.context["realm"]
    if not realm.has_premium_apis or realm.country != "US":
        raise budget_error(
            "PNB-PCBM-008",
            "REALM_SKU_DOES_NOT_MATCH",
            "Project budgets are not available for this company's QuickBooks subscription",
        )
    return realm


def _now() -> str:
    return format_datetime(timezone.now())


def _load(realm, budget_id, *, for_update: bool = False) -> GraphObject:
    budgets = GraphObject.objects.filter(realm=realm, type=BUDGET, object_id=str(budget_id or ""))
    budget = (budgets.select_for_update() if for_update else budgets).first()
    if budget is None:  # Intuit documents no code for an unknown id; this one is the sandbox's
        raise budget_error("BUDGET_NOT_FOUND", "BUDGET_NOT_FOUND", f"Budget not found: {budget_id}")
    if budget.deleted:
        raise budget_error("PNB-INPUT-024", "BUDGET_DELETED", f"Budget {budget_id} has been deleted")
    return budget


def _check_project(realm, linked_id, budget_id=None) -> str:
    """The linked project must be a live project without another budget."""
    try:
        document = store.get(realm, "Customer", linked_id).document
    except QBOFault:  # 610 Object Not Found (also for a non-numeric id): not a project either
        document = {}
    if not is_project(document) or document.get(PROJECT_KEY, {}).get("deleted"):
        raise budget_error("PNB-INPUT-75", "INVALID_BUDGET_PROJECT_ID", f"Invalid project id: {linked_id}")
    others = GraphObject.objects.filter(
        realm=realm, type=BUDGET, deleted=False, document_json__contains=f'"linkedEntityId":"{document["Id"]}"'
    )
    if others.exclude(object_id=str(budget_id)).exists():
        raise budget_error(
            "PNB-INPUT-72", "BUDGET_EXIST_WITH_SAME_LINKED_ENTITY_ID", f"Project {linked_id} already has a budget"
        )
    return document["Id"]


# ---- lines ----


def _amount(line: dict):
    if line["unitCost"] is not None and line["quantity"] is not None:
        return money(line["unitCost"] * line["quantity"])
    return money(line["amount"] or 0)


def _line(values: dict, sequence_id: int, old: dict | None = None) -> dict:
    line = {**(old or EMPTY_LINE), **{key: values[key] for key in LINE_FIELDS if key in values}}
    line["order"] = None if line["order"] is None else str(line["order"])
    line["dimensions"] = line["dimensions"] or []
    line["customFields"] = line["customFields"] or []
    return {"sequenceId": str(sequence_id), **line, "amount": _amount(line)}


def _input_lines(budget_input: dict) -> list[dict]:
    # tests/sandbox/fixtures/graphql/budget_create.variables.json nests the lines in viewSettings; both are read.
    nested = (budget_input.get("viewSettings") or {}).get("budgetDetails") or []
    return [line for line in [*(budget_input.get("budgetDetails") or []), *nested] if line]


def _merge_lines(document: dict, changes: list[dict]) -> None:
    """Merge by sequenceId: a known one updates (or with deleted: true removes) its line, others add lines."""
    lines = {line["sequenceId"]: line for line in document["budgetDetails"]}
    for values in changes:
        sequence_id = None if values.get("sequenceId") is None else str(values["sequenceId"])
        if sequence_id in lines:
            if values.get("deleted"):
                del lines[sequence_id]
            else:
                lines[sequence_id] = _line(values, int(sequence_id), lines[sequence_id])
        elif not values.get("deleted"):  # deleting an unknown line changes nothing
            document["lastSequence"] += 1
            lines[str(document["lastSequence"])] = _line(values, document["lastSequence"])
    document["budgetDetails"] = list(lines.values())


# ---- answers ----


def output(budget: GraphObject) -> dict:
    document = budget.document
    total = sum((line["amount"] for line in document["budgetDetails"]), money(0))
    return {**document, "total": total, "deleted": budget.deleted, "syncToken": str(document["syncToken"])}


def _payload(budget: GraphObject, budget_input: dict) -> dict:
    return {"budget": output(budget), "clientMutationId": budget_input.get("clientMutationId")}


def _settings(budget_input: dict, old: dict) -> dict:
    archived = (budget_input.get("viewSettings") or {}).get("archived")
    return {"archived": old.get("archived", False) if archived is None else archived}


# ---- resolvers ----


def resolve_budget(_root, info, budgetId):
    """businessPlanningBudget(budgetId) - Intuit Budget API "Read a project budget"."""
    return output(_load(_guard(info), budgetId))


@atomic_resolver
def resolve_create(_root, info, budgetInput):
    """businessPlanningCreateBudget - Intuit Budget API "Create a project budget"."""
    realm = _guard(info)
    if budgetInput.get("budgetType") != "PROJECT":  # Intuit documents no code for it; the sandbox's own
        raise budget_error("INVALID_BUDGET_TYPE", "INVALID_BUDGET_TYPE", "budgetType must be PROJECT")
    linked_id = _check_project(realm, budgetInput.get("linkedEntityId"))
    budget_id = str(ID_BASE + store.next_id(realm, BUDGET))
    lines = [line for line in _input_lines(budgetInput) if not line.get("deleted")]
    user, now = info.context["grant"].client_id, _now()
    document = {
        "budgetId": budget_id,
        "budgetName": budgetInput["budgetName"],
        "budgetType": "PROJECT",
        "startDate": budgetInput.get("startDate"),
        "endDate": budgetInput.get("endDate"),
        "linkedEntityId": linked_id,
        "state": budgetInput.get("state") or "LOCKED",
        "syncToken": 0,
        "viewSettings": _settings(budgetInput, {}),
        "budgetMetaData": {"createdBy": user, "createdAt": now, "lastUpdatedBy": user, "updatedAt": now},
        # Server-assigned sequenceIds 1..n: whatever the caller sent is ignored on create.
        "budgetDetails": [_line(values, number) for number, values in enumerate(lines, start=1)],
        "lastSequence": len(lines),
    }
    budget = GraphObject(realm=realm, type=BUDGET, object_id=budget_id)
    budget.document = document
    budget.save()
    return _payload(budget, budgetInput)


def _changed(realm, budget: GraphObject, budget_input: dict, user: str) -> dict:
    document = budget.document
    if document["state"] == "LOCKED" and budget_input.get("state") == "DRAFT":
        raise budget_error("PNB-INPUT-85", "INVALID_LOCKED_STATE", "A LOCKED budget cannot go back to DRAFT")
    if budget_input.get("linkedEntityId") is not None:
        document["linkedEntityId"] = _check_project(realm, budget_input["linkedEntityId"], budget.object_id)
    for field in ("startDate", "endDate"):
        if field in budget_input:
            document[field] = budget_input[field]
    document["budgetName"] = budget_input["budgetName"]
    document["state"] = budget_input.get("state") or document["state"]
    document["viewSettings"] = _settings(budget_input, document["viewSettings"])
    _merge_lines(document, _input_lines(budget_input))
    # syncToken is the fixtures'; the public API has none (docs/quickbooks-api.md, Budgets). Counted, never checked.
    document["syncToken"] += 1
    document["budgetMetaData"] = {**document["budgetMetaData"], "lastUpdatedBy": user, "updatedAt": _now()}
    return document


@atomic_resolver
def resolve_update(_root, info, budgetInput):
    """businessPlanningUpdateBudget - Intuit Budget API "Update a project budget" (lines merge by sequenceId)."""
    realm = _guard(info)
    budget = _load(realm, budgetInput.get("budgetId"), for_update=True)
    budget.document = _changed(realm, budget, budgetInput, info.context["grant"].client_id)
    budget.updated_at = timezone.now()
    budget.save()
    return _payload(budget, budgetInput)


@atomic_resolver
def resolve_delete(_root, info, budgetIdsInput):
    """businessPlanningDeleteBudgets - Intuit Budget API "Delete project budgets" (hard delete, all or none)."""
    realm = _guard(info)
    budget_ids = [str(budget_id) for budget_id in budgetIdsInput["budgetIds"]]
    budgets = {budget_id: _load(realm, budget_id, for_update=True) for budget_id in budget_ids}
    for budget in budgets.values():
        budget.deleted, budget.updated_at = True, timezone.now()
        budget.save()
    return {
        "budgetResponseList": [
            {"budgetId": budget_id, "status": True, "description": DELETED_DESCRIPTION} for budget_id in budget_ids
        ],
        "clientMutationId": budgetIdsInput.get("clientMutationId"),
    }


# ---- budgetDetailsPaginated ----


def _decode_detail_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if text.startswith(DETAIL_CURSOR):
            return int(text.removeprefix(DETAIL_CURSOR))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise budget_error("INVALID_CURSOR", "INVALID_CURSOR", f"Invalid cursor: {cursor}")


def _detail_cursor(line: dict) -> str:
    return base64.b64encode(f"{DETAIL_CURSOR}{line['sequenceId']}".encode()).decode()


def resolve_details_paginated(budget, _info, budgetDetailsInput=None):
    """Budget.budgetDetailsPaginated - Intuit Budget API "Read with paginated budget details"."""
    options = budgetDetailsInput or {}
    sort = (options.get("sortBy") or [{}])[0]
    descending = sort.get("direction") == "DESC"
    lines = sorted(budget["budgetDetails"], key=lambda line: int(line["sequenceId"]), reverse=descending)
    rest = lines
    if options.get("after"):  # keyed on sequenceId, so deleting a line does not shift the pages
        after = _decode_detail_cursor(options["after"])
        rest = [
            line
            for line in lines
            if (int(line["sequenceId"]) < after if descending else int(line["sequenceId"]) > after)
        ]
    first = options.get("first")
    if first is not None and first < 1:
        raise budget_error("INVALID_PAGE_SIZE", "INVALID_PAGE_SIZE", "first must be greater than 0")
    page = rest if first is None else rest[:first]
    edges = [{"cursor": _detail_cursor(line), "node": line} for line in page]
    return {
        "edges": edges,
        "pageInfo": {
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
            "hasPreviousPage": len(rest) < len(lines),
            "hasNextPage": len(page) < len(rest),
        },
        "totalCount": len(lines),
    }
