"""A stored transaction, read for people: its header, its lines and the transactions it names.

Only reads the JSON document QuickBooks would return (`Entity.document`); nothing here writes. The fields are
Intuit's (docs/quickbooks-api.md): the same reader serves every transaction type, showing what a type has.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.utils import timezone

from ..timefmt import COMPANY_TZ

# Who a transaction is with, by the reference that names them.
PARTIES = (("CustomerRef", "Customer"), ("VendorRef", "Vendor"), ("EmployeeRef", "Employee"))
# Dates besides TxnDate, in the order a form shows them.
DATES = (("DueDate", "Due"), ("ExpirationDate", "Expires"), ("ShipDate", "Ship date"), ("AcceptedDate", "Accepted"))
# Money on the document itself (lines' own sums come from the lines).
TOTALS = (
    ("TotalAmt", "Total"),
    ("Balance", "Balance"),
    ("UnappliedAmt", "Unapplied"),
    ("TotalCostAmount", "Cost"),
)


def label(type_: str) -> str:
    """`ChangeOrder` -> `Change order`."""
    words = re.findall(r"[A-Z][a-z]*", type_)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else type_


def app_path(type_: str, qbo_id, realm_id: str = "") -> str:
    """This sandbox's page for a transaction: QuickBooks' `/app/<type>?txnId=<id>`, `realmId` to pick the company."""
    query = {"txnId": str(qbo_id), **({"realmId": realm_id} if realm_id else {})}
    return f"/app/{type_.lower()}?{urlencode(query)}"


def money(value) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def ref_name(ref) -> str:
    """A reference as QuickBooks shows it: its name, else its Id."""
    if not isinstance(ref, dict):
        return ""
    return str(ref.get("name") or (f"Id {ref['value']}" if ref.get("value") else ""))


@dataclass
class Link:
    """A transaction named by another through LinkedTxn, with what is known of it."""

    type: str
    id: str
    url: str
    number: str = ""
    date: str = ""
    total: str = ""
    found: bool = False

    @property
    def title(self) -> str:
        return f"{label(self.type)} {self.number or self.id}"


@dataclass
class Line:
    number: str
    kind: str  # what the line is: Item, Account, Debit, Credit, Discount, Payment...
    what: str  # its item, account or group
    description: str = ""
    party: str = ""  # the line's own customer or project (expense lines, journal lines)
    qty: str = ""
    rate: str = ""
    amount: str = ""
    links: list[Link] = field(default_factory=list)


@dataclass
class Summary:
    type: str
    id: str
    number: str
    date: str
    parties: list[tuple[str, str]]
    project: str
    status: str
    dates: list[tuple[str, str]]
    totals: list[tuple[str, str]]
    memos: list[tuple[str, str]]
    details: list[tuple[str, str]]
    lines: list[Line]

    @property
    def title(self) -> str:
        return f"{label(self.type)} {self.number or self.id}".strip()


def link_targets(document: dict) -> list[tuple[str, str]]:
    """(TxnType, TxnId) of every transaction the document names, its own LinkedTxn first, once each."""
    found: list[tuple[str, str]] = []
    links = list(document.get("LinkedTxn") or [])
    for line in document.get("Line") or []:
        links += line.get("LinkedTxn") or []
    for link in links:
        target = (str(link.get("TxnType") or ""), str(link.get("TxnId") or ""))
        if all(target) and target not in found:
            found.append(target)
    return found


def names(document: dict, type_: str, qbo_id) -> bool:
    """Whether the document links to the transaction `type_` `qbo_id` (top level or on a line)."""
    return (type_, str(qbo_id)) in link_targets(document)


def _status(type_: str, document: dict) -> str:
    if document.get("TxnStatus"):  # estimates and change orders: Pending, Accepted, Closed, Rejected
        return str(document["TxnStatus"])
    if document.get("POStatus"):
        return str(document["POStatus"])
    if type_ == "TimeActivity":
        return str(document.get("BillableStatus") or "")
    if type_ == "Payment" and "UnappliedAmt" in document:
        unapplied, total = Decimal(str(document["UnappliedAmt"])), Decimal(str(document.get("TotalAmt") or 0))
        return "Applied" if unapplied == 0 else ("Unapplied" if unapplied == total else "Partly applied")
    if type_ in ("Invoice", "Bill") and "Balance" in document:
        balance, total = Decimal(str(document["Balance"])), Decimal(str(document.get("TotalAmt") or 0))
        if balance == 0:
            return "Paid"
        due = document.get("DueDate")
        overdue = bool(due) and str(due) < timezone.now().astimezone(COMPANY_TZ).date().isoformat()
        state = "Partly paid" if balance < total else "Open"
        return f"{state}, overdue" if overdue else state
    return ""


def _parties(document: dict) -> list[tuple[str, str]]:
    found = [(title, ref_name(document[key])) for key, title in PARTIES if document.get(key)]
    entity = document.get("EntityRef")  # a Purchase's payee
    if isinstance(entity, dict) and entity:
        found.append((str(entity.get("type") or "Payee"), ref_name(entity)))
    return found


def _project(document: dict) -> str:
    if document.get("ProjectRef"):
        return ref_name(document["ProjectRef"])
    on_lines = []  # bills and expenses carry the project on each line
    for line in document.get("Line") or []:
        name = ref_name(line.get("ProjectRef"))
        if name and name not in on_lines:
            on_lines.append(name)
    return ", ".join(on_lines)


def _line(number: str, line: dict, realm_id: str) -> Line:
    kind_key = str(line.get("DetailType") or "")
    detail = line.get(kind_key) or {}
    links = [Link(t, i, app_path(t, i, realm_id)) for t, i in link_targets({"LinkedTxn": line.get("LinkedTxn")})]
    amount = money(line["Amount"]) if "Amount" in line else ""
    description = str(line.get("Description") or "")
    if not kind_key:  # payment lines: an amount applied to the transactions they link
        return Line(number, "Payment", "", description, amount=amount, links=links)
    what = ref_name(detail.get("ItemRef") or detail.get("AccountRef") or detail.get("GroupItemRef"))
    kind = {
        "SalesItemLineDetail": "Item",
        "ItemBasedExpenseLineDetail": "Item",
        "AccountBasedExpenseLineDetail": "Account",
        "GroupLineDetail": "Group",
        "DescriptionOnly": "Description",
        "DiscountLineDetail": "Discount",
        "SubTotalLineDetail": "Subtotal",
    }.get(kind_key, label(kind_key.removesuffix("LineDetail")))
    if kind_key == "JournalEntryLineDetail":
        kind = str(detail.get("PostingType") or "Journal")
    if kind_key == "DiscountLineDetail" and detail.get("PercentBased"):
        what = f"{detail.get('DiscountPercent')}%"
    entity = (detail.get("Entity") or {}).get("EntityRef") if isinstance(detail.get("Entity"), dict) else None
    party = ref_name(detail.get("CustomerRef") or entity or line.get("ProjectRef"))
    qty = detail.get("Qty", detail.get("Quantity", ""))
    rate = money(detail["UnitPrice"]) if "UnitPrice" in detail else ""
    return Line(number, kind, what, description, party, str(qty), rate, amount, links)


def lines(document: dict, realm_id: str) -> list[Line]:
    """Each line in order; a group's own lines follow it, numbered 2.1, 2.2..."""
    found = []
    for n, line in enumerate(document.get("Line") or [], start=1):
        number = str(line.get("LineNum") or n)
        found.append(_line(number, line, realm_id))
        group = line.get("GroupLineDetail") or {}
        for m, inner in enumerate(group.get("Line") or [], start=1):
            found.append(_line(f"{number}.{m}", inner, realm_id))
    return found


def _totals(type_: str, document: dict, read: list[Line]) -> list[tuple[str, str]]:
    found = [("Subtotal", line.amount) for line in read if line.kind == "Subtotal"][:1]
    tax = (document.get("TxnTaxDetail") or {}).get("TotalTax")
    if tax is not None:
        found.append(("Tax", money(tax)))
    if type_ == "JournalEntry":
        for side in ("Debit", "Credit"):
            amounts = [Decimal(str(line["Amount"])) for line in document.get("Line") or [] if _posting(line) == side]
            found.append((f"{side}s", money(sum(amounts, Decimal(0)))))
    if type_ == "TimeActivity":
        hours, minutes = int(document.get("Hours") or 0), int(document.get("Minutes") or 0)
        found.append(("Time", f"{hours}:{minutes:02d}"))
        for key, title in (("HourlyRate", "Hourly rate"), ("CostRate", "Cost rate")):
            if document.get(key) is not None:
                found.append((title, money(document[key])))
        if document.get("HourlyRate") is not None:
            found.append(("Amount", money(Decimal(str(document["HourlyRate"])) * (hours + Decimal(minutes) / 60))))
    found += [(title, money(document[key])) for key, title in TOTALS if document.get(key) is not None]
    return found


def _posting(line: dict) -> str:
    return str((line.get("JournalEntryLineDetail") or {}).get("PostingType") or "")


def _memos(document: dict) -> list[tuple[str, str]]:
    found = []
    memo = document.get("CustomerMemo")
    if isinstance(memo, dict) and memo.get("value"):
        found.append(("Message to customer", str(memo["value"])))
    for key, title in (("Description", "Description"), ("Memo", "Memo"), ("PrivateNote", "Private note")):
        if document.get(key):
            found.append((title, str(document[key])))
    return found


def _details(document: dict) -> list[tuple[str, str]]:
    """Other facts a form shows: where the money went, class and location, who accepted, payment method."""
    found = []
    for key, title in (
        ("PaymentType", "Payment type"),
        ("PaymentRefNum", "Reference no."),
        ("AccountRef", "Paid from"),
        ("DepositToAccountRef", "Deposit to"),
        ("APAccountRef", "A/P account"),
        ("ARAccountRef", "A/R account"),
        ("ItemRef", "Service"),
        ("DepartmentRef", "Location"),
        ("ClassRef", "Class"),
        ("SalesTermRef", "Terms"),
        ("AcceptedBy", "Accepted by"),
        ("EmailStatus", "Email"),
    ):
        value = document.get(key)
        shown = ref_name(value) if isinstance(value, dict) else str(value or "")
        if shown and shown != "NotSet":
            found.append((title, shown))
    return found


def summary(type_: str, document: dict, realm_id: str) -> Summary:
    """A stored transaction of type `type_` as a page shows it."""
    read = lines(document, realm_id)
    number = str(document.get("DocNumber") or "")
    return Summary(
        type=type_,
        id=str(document.get("Id") or ""),
        number=number,
        date=str(document.get("TxnDate") or ""),
        parties=_parties(document),
        project=_project(document),
        status=_status(type_, document),
        dates=[(title, str(document[key])) for key, title in DATES if document.get(key)],
        totals=_totals(type_, document, read),
        memos=_memos(document),
        details=_details(document),
        lines=[line for line in read if line.kind != "Subtotal"],
    )
