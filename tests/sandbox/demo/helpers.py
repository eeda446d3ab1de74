"""Reading seeded documents back the way a data-health check would."""

from decimal import Decimal

from sandbox.codec import money
from sandbox.models import Entity

TRANSACTION_TYPES = (
    "Invoice",
    "Bill",
    "Purchase",
    "PurchaseOrder",
    "Estimate",
    "ChangeOrder",
    "TimeActivity",
    "Payment",
    "SalesReceipt",
)
EXPENSE_DETAILS = ("ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail")


def documents(realm, *types) -> list[dict]:
    rows = Entity.objects.filter(realm=realm, type__in=types, deleted=False).order_by("type", "qbo_id")
    return [{**row.document, "_type": row.type} for row in rows]


def project_refs(value) -> list[dict]:
    """Every ProjectRef anywhere in a document (header, lines, details)."""
    if isinstance(value, dict):
        found = [value["ProjectRef"]] if "ProjectRef" in value else []
        return found + [ref for child in value.values() for ref in project_refs(child)]
    if isinstance(value, list):
        return [ref for child in value for ref in project_refs(child)]
    return []


def charges(document: dict) -> list[tuple[str, dict | None]]:
    """(customer Id, ProjectRef or None) for the header and every expense line charged to a customer."""
    found = []
    if document.get("CustomerRef"):
        found.append((document["CustomerRef"]["value"], document.get("ProjectRef")))
    for line in document.get("Line", []):
        for detail in (line.get(key) for key in EXPENSE_DETAILS):
            if detail and detail.get("CustomerRef"):
                found.append((detail["CustomerRef"]["value"], line.get("ProjectRef") or document.get("ProjectRef")))
    return found


def line_total(document: dict) -> Decimal:
    """Sum of the lines that carry money (not the SubTotal line), plus the tax."""
    lines = [line for line in document.get("Line", []) if line.get("DetailType") != "SubTotalLineDetail"]
    tax = document.get("TxnTaxDetail", {}).get("TotalTax", Decimal(0))
    return sum((line["Amount"] for line in lines), Decimal(0)) + tax


def priced_lines(document: dict) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(Amount, Qty, unit price) for every line priced by quantity."""
    result = []
    for line in document.get("Line", []):
        detail = line.get("SalesItemLineDetail") or line.get("ItemBasedExpenseLineDetail")
        if detail:
            result.append((line["Amount"], detail["Qty"], detail["UnitPrice"]))
    return result


def is_exact_money(value) -> bool:
    return isinstance(value, Decimal) and value == money(value) and value.as_tuple().exponent == -2
