"""Change orders (change_order_* in tests/sandbox/fixtures/qbo_seed_001_project_examples.json;
docs/quickbooks-api.md, Change orders).

A change order modifies one parent project estimate: every line links that estimate through LinkedTxn,
the estimate must carry a ProjectRef, and it must be the change order's own project. A project's contracted
total is its project estimates plus its change orders; deleting a change order leaves the estimate as it was.
"""

from decimal import Decimal

from ..codec import loads, money
from ..errors import business_validation, not_found
from ..models import Entity, Realm
from .faults import not_entitled, required_param
from .refs import Resolver


def require_entitlement(realm: Realm) -> None:
    """Change orders need QuickBooks Online Advanced; other plans get 5020 for every change-order call."""
    if not realm.has_premium_apis:
        raise not_entitled()


def link_parent_estimate(doc: dict, resolver: Resolver) -> None:
    """Check and complete the LinkedTxn chain: lines inherit the top-level link; all must name one estimate.

    Intuit's change-order page says all lines must reference the same estimate (docs/quickbooks-api.md, Change
    orders); the sandbox chooses to enforce that, so differing links fail instead of being overridden.
    """
    top = _estimate_links(doc.get("LinkedTxn"))
    lines = [line for line in doc.get("Line", []) if line.get("DetailType") != "SubTotalLineDetail"]
    if not lines:
        raise required_param("Line")
    for line in lines:
        if not _estimate_links(line.get("LinkedTxn")):
            if not top:
                raise required_param("Line.LinkedTxn")
            line["LinkedTxn"] = [{"TxnId": top[0], "TxnType": "Estimate"}]
    parents = set(top) | {txn_id for line in lines for txn_id in _estimate_links(line["LinkedTxn"])}
    if len(parents) > 1:
        raise business_validation(
            "Business Validation Error: All lines of a change order must link the same parent estimate.",
            element="Line.LinkedTxn",
        )
    parent_id = parents.pop()
    _check_parent(doc, parent_id, resolver)
    doc["LinkedTxn"] = [{"TxnId": parent_id, "TxnType": "Estimate"}]


def _estimate_links(links) -> list[str]:
    return [str(link["TxnId"]) for link in links or [] if link.get("TxnType") == "Estimate" and link.get("TxnId")]


def _check_parent(doc: dict, parent_id: str, resolver: Resolver) -> None:
    estimate = resolver.lookup("Estimate", parent_id)
    if estimate is None:
        raise not_found("Estimate", parent_id)
    project = (estimate.get("ProjectRef") or {}).get("value")
    if not project:
        raise business_validation(
            "Business Validation Error: The parent estimate of a change order must be a "
            "project estimate (it has no ProjectRef).",
            element="LinkedTxn",
        )
    own = (doc.get("ProjectRef") or {}).get("value")
    if not own:
        raise required_param("ProjectRef")
    if str(own) != str(project):
        raise business_validation(
            "Business Validation Error: The change order's ProjectRef must be the project of its parent estimate.",
            element="ProjectRef",
        )


def require_positive_total(doc: dict) -> None:
    """Once TotalAmt is computed: lines may carry negative quantities (removed scope), the total must be positive.

    Intuit's help for change orders says so (docs/quickbooks-api.md, Change orders); the API reference does not,
    so refusing a total of zero or less with a 6000 business validation error is the sandbox's choice.
    """
    if doc["TotalAmt"] <= 0:
        raise business_validation(
            "Business Validation Error: A change order's total must be positive; "
            "use negative quantities on its lines for removed scope.",
            element="TotalAmt",
        )


def contract_total(realm: Realm, project_id) -> Decimal:
    """The project's contracted amount: its project estimates' totals plus its change orders' totals."""
    total = Decimal(0)
    rows = Entity.objects.filter(realm=realm, type__in=("Estimate", "ChangeOrder"), deleted=False)
    # A cheap substring filter first; the exact match is checked on the parsed document.
    rows = rows.filter(document_json__contains=f'"{project_id}"')
    for document_json in rows.values_list("document_json", flat=True):
        document = loads(document_json)
        if str((document.get("ProjectRef") or {}).get("value")) == str(project_id):
            total += Decimal(str(document.get("TotalAmt", 0)))
    return money(total)
