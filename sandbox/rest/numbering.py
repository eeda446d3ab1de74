"""DocNumber of a new sales form, as QuickBooks fills it in (docs/quickbooks-api.md, Document numbers).

Intuit's sales-form pages: a DocNumber not given at create time follows Preferences:CustomTxnNumbers. With custom
numbers on, the form keeps none; with them off, QuickBooks generates one "by incrementing the last number by 1".
The sandbox takes "the last number" to be the highest all-digit DocNumber among the company's live forms of the
same entity type, and starts at 1001 when there is none. Updates never renumber.
"""

from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast

from .. import store
from ..models import Entity, Realm
from . import company
from .entities import Kind

NUMBERED = ("Invoice", "Estimate", "ChangeOrder", "SalesReceipt", "CreditMemo", "RefundReceipt")
FIRST = 1001
# At most 18 digits, so the number fits a 64-bit integer in SQL; longer all-digit numbers are not counted.
ALL_DIGITS = r"^[0-9]{1,18}$"


def assign(realm: Realm, kind: Kind, doc: dict) -> None:
    """On create, within the write's transaction: the next DocNumber when the company does not use custom ones."""
    if kind.name not in NUMBERED or doc.get("DocNumber") not in (None, ""):
        return
    doc.pop("DocNumber", None)
    if company.custom_txn_numbers(realm):
        return  # "If no value is supplied, the resulting DocNumber is null."
    store.hold(realm, kind.name)  # two creates of this type number one after the other
    highest = last_number(realm, kind.name)
    doc["DocNumber"] = str(FIRST if highest is None else highest + 1)


def last_number(realm: Realm, type_: str) -> int | None:
    """The highest all-digit DocNumber of the company's live `type_` forms (read from the indexed name column,
    which holds the DocNumber of a transaction)."""
    rows = Entity.objects.filter(realm=realm, type=type_, deleted=False, name__regex=ALL_DIGITS)
    return rows.aggregate(highest=Max(Cast("name", BigIntegerField())))["highest"]
