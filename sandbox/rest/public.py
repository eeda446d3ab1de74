"""What the REST API shows of a stored document.

Other parts of the simulator keep private fields in the same JSON under keys starting with "_" (the Projects
GraphQL API's `_project`); QuickBooks' REST API has no such fields, so they are never shown and never lost.
"""

import re

from ..codec import loads, raw

_DECODE = re.compile(r'"_|-0[,}\]]')  # a key (or text) starting with "_", or the number -0


def public(document: dict) -> dict:
    return {key: value for key, value in document.items() if not key.startswith("_")}


def private(document: dict) -> dict:
    return {key: value for key, value in document.items() if key.startswith("_")}


def public_json(text: str):
    """What `public` shows of a stored document's JSON text (`Entity.document_json`), ready for `codec.dumps`.

    Text that `codec.dumps` wrote comes out of `codec.dumps(codec.loads(text))` unchanged, with one exception: a
    whole-number negative zero (`-0` reads back as the int 0). So a text with no `"_` (no private key can be in
    it) and no `-0` number is passed through as it is (`codec.raw`): the same bytes, without decoding and encoding
    it again. Only the others are decoded.
    """
    return public(loads(text)) if _DECODE.search(text) else raw(text)
