"""JSON with money kept exact: numbers with a fraction parse as Decimal, Decimals serialise as numbers."""

from typing import Any

import simplejson


def loads(text: str | bytes) -> Any:
    return simplejson.loads(text, use_decimal=True)


def loads_or_none(text: str | bytes) -> Any:
    try:
        return loads(text)
    except ValueError:
        return None


def dumps(value: Any) -> str:
    return simplejson.dumps(value, use_decimal=True, separators=(",", ":"))
