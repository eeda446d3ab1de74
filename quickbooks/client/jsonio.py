"""JSON with money kept exact: numbers with a fraction parse as Decimal, Decimals serialise as numbers.

msgspec does both in C: a first pull decodes every page QuickBooks sends and encodes every document it stores, and
simplejson's Decimal path (its encoder runs in Python when use_decimal is on) took about a sixth of its CPU.
https://jcristharif.com/msgspec/api.html#msgspec.json.Decoder
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import msgspec

_decoder = msgspec.json.Decoder(float_hook=Decimal)  # float_hook gets the literal's text: Decimal is exact
_encoder = msgspec.json.Encoder(decimal_format="number")
LARGE = 1 << 16  # bytes: a reply holding a page of documents, not a value stored in a JSON column
_freezing = 0  # scopes open in this process (replies_frozen); a count, as a pull may run inside another
_freezing_lock = threading.Lock()


def loads(text: str | bytes) -> Any:
    if len(text) < LARGE:
        return _decoder.decode(text)
    with _collector_paused():
        value = _decoder.decode(text)
        if _freezing:
            gc.freeze()  # before the collector is back on, or its first collection traverses the page anyway
        return value


@contextmanager
def replies_frozen() -> Iterator[None]:
    """A pull's scope: what the process holds as it starts, and each large reply as soon as it is decoded, are moved
    out of the cyclic collector's generations (gc.freeze); when the last scope ends they go back (gc.unfreeze).

    A page's hundred thousand containers live while it is ingested, long enough to be promoted and traversed again
    by every older-generation collection, each of which also walks Django's own hundred thousand long-lived objects.
    In a first pull that was 1.7 s of about 10 CPU-s, eight full collections among them; frozen, 0.2 s. Frozen
    objects are still freed by their reference counts as soon as the page is dropped, so memory is unchanged; only
    cyclic garbage that happens to exist at a freeze waits for the scope's end to be collected.
    https://docs.python.org/3/library/gc.html#gc.freeze"""
    global _freezing
    with _freezing_lock:
        _freezing += 1
        gc.freeze()
    try:
        yield
    finally:
        with _freezing_lock:
            _freezing -= 1
            if not _freezing:
                gc.unfreeze()


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
