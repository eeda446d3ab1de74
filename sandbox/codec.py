"""JSON the way Intuit writes it: money stays exact (Decimal in, plain JSON numbers out)."""

from decimal import ROUND_HALF_UP, Decimal

import simplejson
from simplejson import RawJSON


def loads(text: str | bytes):
    return simplejson.loads(text, use_decimal=True)


def dumps(value) -> str:
    return simplejson.dumps(value, use_decimal=True, separators=(",", ":"))


def raw(text: str) -> RawJSON:
    """JSON text that `dumps` writes into its output as it is, without decoding it.

    For text `dumps` wrote, that is the same as `dumps(loads(text))` except for a whole-number negative zero (`-0`
    reads back as the int 0): see `sandbox.rest.public.public_json`.
    """
    return RawJSON(text)


def money(value) -> Decimal:
    """Round to cents the way QuickBooks does: half up (100.005 -> 100.01), not to even."""
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pretty(value) -> str:
    """Indented, for people to read; money exact as in `dumps`."""
    return simplejson.dumps(value, use_decimal=True, indent=2, ensure_ascii=False)
