"""JSON with money kept exact: numbers with a fraction parse as Decimal, Decimals serialise as numbers.

msgspec does both in C: a first pull decodes every page QuickBooks sends and encodes every document it stores, and
simplejson's Decimal path (its encoder runs in Python when use_decimal is on) took about a sixth of its CPU.
https://jcristharif.com/msgspec/api.html#msgspec.json.Decoder
"""

from decimal import Decimal
from typing import Any

import msgspec

_decoder = msgspec.json.Decoder(float_hook=Decimal)  # float_hook gets the literal's text: Decimal is exact
_encoder = msgspec.json.Encoder(decimal_format="number")


def loads(text: str | bytes) -> Any:
    return _decoder.decode(text)


def loads_or_none(text: str | bytes) -> Any:
    try:
        return loads(text)
    except ValueError:  # msgspec.DecodeError is one
        return None


def body(value: Any) -> bytes:
    """A request body: UTF-8 bytes, as JSON is sent, with no HTTP library's choice of text encoding in between."""
    return _encoder.encode(value)


def dumps(value: Any) -> str:
    return _encoder.encode(value).decode()
