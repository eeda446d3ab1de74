"""JSON with money kept exact: numbers with a fraction parse as Decimal, Decimals serialise as numbers."""

import simplejson


def loads(text: str | bytes):
    return simplejson.loads(text, use_decimal=True)


def loads_or_none(text: str | bytes):
    try:
        return loads(text)
    except ValueError:
        return None


def dumps(value) -> str:
    return simplejson.dumps(value, use_decimal=True, separators=(",", ":"))
