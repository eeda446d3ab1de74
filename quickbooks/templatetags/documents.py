"""Parts of a QuickBooks document shown to people: amounts as 100.00, references by name, lines one a row."""

from datetime import date
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def document_value(value) -> str:
    """A field of a QuickBooks document in words, never Python's repr (Decimal('100.00'), {'value': '7'})."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal | int | float | str):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "\n".join(document_value(item) for item in value)
    if isinstance(value, dict):
        if set(value) <= {"value", "name"}:  # a reference: its name, else its id
            return str(value.get("name") or value.get("value") or "—")
        return "; ".join(f"{key}: {document_value(item)}" for key, item in value.items() if item not in (None, ""))
    return str(value)
