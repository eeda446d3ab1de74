"""Transaction rules: required fields, the defaults QuickBooks fills in, and the totals (via `accounting`)."""

from datetime import date, timedelta

from django.utils import timezone

from ..models import Entity, Realm
from ..timefmt import COMPANY_TZ
from . import accounting, changeorders, company, receivables
from .entities import Kind
from .faults import required_param
from .refs import Resolver

USD = {"value": "USD", "name": "United States Dollar"}
REQUIRED = {
    "Invoice": ("CustomerRef", "Line"),
    "Estimate": ("CustomerRef",),
    "ChangeOrder": ("CustomerRef",),
    "CreditMemo": ("CustomerRef", "Line"),
    "SalesReceipt": ("Line",),
    "RefundReceipt": ("Line",),
    "Bill": ("VendorRef", "Line"),
    "VendorCredit": ("VendorRef", "Line"),
    "PurchaseOrder": ("VendorRef", "Line"),
    "Purchase": ("PaymentType", "AccountRef", "Line"),
    "Payment": ("CustomerRef",),
    "JournalEntry": ("Line",),
    "TimeActivity": ("NameOf",),
}
PRINTABLE = ("Invoice", "Estimate", "ChangeOrder", "SalesReceipt", "CreditMemo", "RefundReceipt")


def prepare(realm: Realm, kind: Kind, doc: dict, existing: dict | None, resolver: Resolver) -> None:
    """Validate and complete a transaction document in place (before the reference check)."""
    for field in REQUIRED.get(kind.name, ()):
        if doc.get(field) in (None, "", []):
            raise required_param(field)
    doc["TxnDate"] = doc.get("TxnDate") or (existing or {}).get("TxnDate") or company_today().isoformat()
    doc["CurrencyRef"] = (existing or {}).get("CurrencyRef") or doc.get("CurrencyRef") or USD
    if kind.name == "TimeActivity":
        _time_activity(doc)
    if kind.name == "ChangeOrder":
        changeorders.link_parent_estimate(doc, resolver)
    if kind.sales:
        _sales_defaults(realm, kind, doc, resolver)
    if kind.name in ("Bill", "PurchaseOrder", "VendorCredit"):
        doc.setdefault("APAccountRef", _account_ref(realm, AccountType="Accounts Payable"))
        if not doc["APAccountRef"]:
            raise required_param("APAccountRef")


def _time_activity(doc: dict) -> None:
    person = {"Employee": "EmployeeRef", "Vendor": "VendorRef"}.get(doc["NameOf"])
    if person is None or not doc.get(person):
        raise required_param(person or "NameOf")
    if doc.get("BillableStatus") == "Billable" and not doc.get("CustomerRef"):
        raise required_param("CustomerRef")


def _sales_defaults(realm: Realm, kind: Kind, doc: dict, resolver: Resolver) -> None:
    doc.setdefault("ApplyTaxAfterDiscount", False)
    if kind.name in PRINTABLE:
        doc.setdefault("PrintStatus", "NeedToPrint")
        doc.setdefault("EmailStatus", "NotSet")
    if kind.name in ("Estimate", "ChangeOrder"):
        doc.setdefault("TxnStatus", "Pending")
    if kind.name == "Estimate" and not realm.has_premium_apis and doc.get("ProjectRef"):
        # tests/sandbox/fixtures/qbo_seed_001_project_examples.json (plus_plan_estimate_with_project): on Plus a
        # ProjectRef still has to be a project, but the estimate is a plain financial proposal estimate and comes
        # back without ProjectRef.
        resolver.project(doc["ProjectRef"].get("value"))
        doc.pop("ProjectRef")
    if kind.name == "SalesReceipt" and not doc.get("DepositToAccountRef"):
        ref = _account_ref(realm, AccountSubType="UndepositedFunds")
        if ref:
            doc["DepositToAccountRef"] = ref
    if kind.name != "ChangeOrder":  # change-order lines lack ItemAccountRef (qbo_seed_001_project_examples.json)
        _item_accounts(doc, resolver)


def _item_accounts(doc: dict, resolver: Resolver) -> None:
    """Sales lines name the item's income account, as QuickBooks fills it in (qbo_seed_001_project_examples.json)."""
    for line in doc.get("Line", []):
        detail = line.get("SalesItemLineDetail")
        if isinstance(detail, dict) and "ItemAccountRef" not in detail and detail.get("ItemRef"):
            item = resolver.lookup("Item", detail["ItemRef"].get("value")) or {}
            if item.get("IncomeAccountRef"):
                detail["ItemAccountRef"] = dict(item["IncomeAccountRef"])


def _account_ref(realm: Realm, **match) -> dict | None:
    """The company's first active account of a kind (A/P for bills, "Payments to deposit" for receipts)."""
    for entity in Entity.objects.filter(realm=realm, type="Account", deleted=False, active=True).order_by("qbo_id"):
        document = entity.document
        if all(document.get(key) == value for key, value in match.items()):
            return {"value": document["Id"], "name": document.get("FullyQualifiedName") or document["Name"]}
    return None


def compute(realm: Realm, kind: Kind, doc: dict, existing: dict | None, resolver: Resolver) -> None:
    """Totals and balances, after references are known to be good."""
    if kind.sales:
        accounting.check_tax_codes(doc.get("Line", []), realm.country == "US")
        tax_code = ((doc.get("TxnTaxDetail") or {}).get("TxnTaxCodeRef") or {}).get("value")
        accounting.sales_totals(doc, company.sales_tax_rates(realm, tax_code))
        if kind.name == "ChangeOrder":
            changeorders.require_positive_total(doc)
    elif kind.name in ("Bill", "Purchase", "PurchaseOrder", "VendorCredit"):
        accounting.expense_totals(doc, bill=kind.name == "Bill")
    elif kind.name == "JournalEntry":
        accounting.journal_totals(doc)
    elif kind.name == "Payment":
        accounting.payment_totals(doc)
        receivables.check_payment(realm, doc, (existing or {}).get("Id"), resolver)
    _balance(realm, kind, doc, existing)


def _balance(realm: Realm, kind: Kind, doc: dict, existing: dict | None) -> None:
    if kind.name == "Invoice":
        paid = receivables.applied_to(realm, existing["Id"]) if existing else 0
        doc["Balance"] = doc["TotalAmt"] - paid
        doc.setdefault("LinkedTxn", [])
        doc["DueDate"] = doc.get("DueDate") or _due_date(realm, doc)
    elif kind.name == "Bill":
        doc["Balance"] = doc["TotalAmt"]
        doc["DueDate"] = doc.get("DueDate") or _due_date(realm, doc)
    elif kind.name == "VendorCredit":  # credit not yet applied to a bill: all of it
        doc["Balance"] = doc["TotalAmt"]
    elif kind.name in ("SalesReceipt", "RefundReceipt"):
        doc["Balance"] = 0
    elif kind.name == "CreditMemo":
        doc["Balance"] = doc["RemainingCredit"] = doc["TotalAmt"]


def _due_date(realm: Realm, doc: dict) -> str:
    """TxnDate plus the term's DueDays (Net 30 gives 30 days), or the TxnDate itself without a term."""
    txn_date = date.fromisoformat(doc["TxnDate"])
    term_ref = doc.get("SalesTermRef")
    if term_ref:
        term = Entity.objects.filter(realm=realm, type="Term", qbo_id=int(term_ref["value"]), deleted=False).first()
        days = int((term.document.get("DueDays") or 0) if term else 0)
        return (txn_date + timedelta(days=days)).isoformat()
    return txn_date.isoformat()


def company_today() -> date:
    return timezone.now().astimezone(COMPANY_TZ).date()
