"""Reading QuickBooks documents: references, dates, times and exact numbers, the same way everywhere."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")  # QuickBooks keeps money to the cent: the one quantum amounts are rounded to


def ref_id(ref: dict | None) -> str:
    """The Id a reference names (`{"value": "42", "name": ...}`), or ""."""
    return str((ref or {}).get("value") or "")


def ref_name(ref: dict | None) -> str:
    return str((ref or {}).get("name") or "")


def ref(qbo_id: str, name: str = "") -> dict | None:
    """A reference for a document being sent; None when there is nothing to name."""
    if not qbo_id:
        return None
    return {"value": qbo_id, "name": name} if name else {"value": qbo_id}


def number(value: Any) -> Decimal | None:
    """An exact Decimal for a JSON number (ints arrive as int, fractions as Decimal); None stays None."""
    if type(value) is Decimal:  # first: comparing a Decimal with "" goes through the numbers ABCs, slowly
        return value
    if value is None or value == "":
        return None
    return Decimal(str(value))


def money(value: Any) -> Decimal:
    """A money amount: missing counts as zero."""
    found = number(value)
    return Decimal("0.00") if found is None else found


def day(value: Any) -> date | None:
    """A date from "2026-05-21" or a GraphQL date-time "2026-05-21T00:00:00.000Z"."""
    return date.fromisoformat(str(value)[:10]) if value else None


def moment(value: Any) -> datetime | None:
    """An aware datetime from QuickBooks' "2026-05-21T09:00:00-07:00" or GraphQL's "...T17:00:00.000Z"."""
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def updated_at(document: dict) -> datetime | None:
    return moment((document.get("MetaData") or {}).get("LastUpdatedTime"))


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def memo(value: Any) -> str:
    """CustomerMemo arrives as {"value": text}."""
    return str((value or {}).get("value") or "") if isinstance(value, dict) else str(value or "")


def plain(number_: Decimal | None) -> Decimal | None:
    """A Decimal as QuickBooks writes it: whole numbers without a fraction (Qty 8, not 8.0000000)."""
    if number_ is None:
        return None
    normal = number_.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal
