"""JSON with money kept exact: numbers with a fraction parse as Decimal, Decimals serialise as numbers.

msgspec does both in C: a first pull decodes every page QuickBooks sends and encodes every document it stores, and
simplejson's Decimal path (its encoder runs in Python when use_decimal is on) took about a sixth of its CPU.
https://jcristharif.com/msgspec/api.html#msgspec.json.Decoder
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import msgspec

_decoder = msgspec.json.Decoder(float_hook=Decimal)  # float_hook gets the literal's text: Decimal is exact
_encoder = msgspec.json.Encoder(decimal_format="number")
LARGE = 1 << 16  # bytes: a reply holding a page of documents, not a value stored in a JSON column


def loads(text: str | bytes) -> Any:
    if len(text) < LARGE:
        return _decoder.decode(text)
    with _collector_paused():
        return _decoder.decode(text)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a large reply is decoded. Decoding a page of a thousand documents
    allocates a container per JSON object and array, a hundred thousand of them, none in a cycle; every allocation
    threshold met on the way runs a collection that traverses them all again for nothing: pausing it saved a first
    pull 4 to 13% of its CPU in paired runs (https://docs.python.org/3/library/gc.html). The switch is the
    process's, so another thread's collections wait those milliseconds too; one left off by its owner stays off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
