"""JSON the way Intuit writes it: money stays exact (Decimal in, plain JSON numbers out)."""

from decimal import ROUND_HALF_UP, Decimal

import simplejson


def loads(text: str | bytes):
    return simplejson.loads(text, use_decimal=True)


def dumps(value) -> str:
    return simplejson.dumps(value, use_decimal=True, separators=(",", ":"))


def money(value) -> Decimal:
    """Round to cents the way QuickBooks does: half up (100.005 -> 100.01), not to even."""
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pretty(value) -> str:
    """Indented, for people to read; money exact as in `dumps`."""
    return simplejson.dumps(value, use_decimal=True, indent=2, ensure_ascii=False)
