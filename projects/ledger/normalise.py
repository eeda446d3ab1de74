"""The project ledger's normaliser: QuickBooks transactions in, one row of values per line charged to a project.

One function per document shape (sales forms, payments, expenses, time, journal entries). A line belongs to a
project when it, or its transaction, carries a ProjectRef ("project_ref"); older data charges projects through
a CustomerRef naming the project's customer record ("customer_ref"). A cost charged through CustomerRef to a
customer that has projects, rather than to one of them, is kept too, with no project: that is the mis-coding
the data-health page shows. Lines with neither are not the ledger's business.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from quickbooks.sync.documents import CENT, day, money, number, ref_id, ref_name

from ..models import LedgerLine

Kind, TaggedBy = LedgerLine.Kind, LedgerLine.TaggedBy
SALES = {"Invoice": 1, "SalesReceipt": 1, "CreditMemo": -1, "RefundReceipt": -1}  # credits reduce revenue
EXPENSES = {"Bill": Kind.COST, "Purchase": Kind.COST, "VendorCredit": Kind.COST, "PurchaseOrder": Kind.COMMITMENT}
EXPENSE_DETAILS = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")
TXN_TYPES = (*SALES, "Payment", *EXPENSES, "TimeActivity", "JournalEntry")
HOURS = Decimal("0.0001")
# Account types whose balance is a job's cost (Intuit's AccountType): a journal line to one is cost to date.
COST_ACCOUNT_TYPES = frozenset({"Cost of Goods Sold", "Expense", "Other Expense"})


@dataclass
class Tagging:
    """What a page's lines are checked against: the company's project customers and their parents."""

    projects: set[str] = field(default_factory=set)
    parents: set[str] = field(default_factory=set)
    cost_rates: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # ("Employee", id) -> CostRate
    account_types: dict[str, str] = field(default_factory=dict)  # account id -> AccountType

    def tag(self, project_ref: dict | None, customer_ref: dict | None, *, charge: bool) -> dict | None:
        """How a line is tied to a project, or None. `charge`: a cost line's own CustomerRef."""
        project, customer = ref_id(project_ref), ref_id(customer_ref)
        if project:
            project_qbo_id, tagged_by = project, TaggedBy.PROJECT_REF
        elif customer in self.projects:
            project_qbo_id, tagged_by = customer, TaggedBy.CUSTOMER_REF
        elif charge and customer in self.parents:
            project_qbo_id, tagged_by = "", TaggedBy.CUSTOMER_REF
        else:
            return None
        return {
            "customer_qbo_id": customer,
            "customer_name": ref_name(customer_ref),
            "project_qbo_id": project_qbo_id,
            "tagged_by": tagged_by,
        }


def normalise(txn_type: str, document: dict, tagging: Tagging) -> list[dict]:
    """The ledger rows (field values of LedgerLine, without company and project) for one transaction: each a new
    dict, the transaction's header values first, built once (a first pull makes a hundred thousand)."""
    header = _header(txn_type, document)
    if txn_type in SALES:
        return sales_rows(document, SALES[txn_type], tagging, header)
    if txn_type == "PurchaseOrder" and document.get("POStatus") == "Closed":
        return []  # closed (received, or billed): no longer a commitment; its cost arrives as the bill
    if txn_type in EXPENSES:
        return expense_rows(document, EXPENSES[txn_type], tagging, header, txn_type)
    rows = {"Payment": payment_rows, "TimeActivity": time_rows, "JournalEntry": journal_rows}[txn_type]
    return rows(document, tagging, header)


def _header(txn_type: str, document: dict) -> dict:
    department = document.get("DepartmentRef")
    return {
        "txn_type": txn_type,
        "txn_qbo_id": str(document["Id"]),
        "txn_sync_token": str(document.get("SyncToken", "")),
        "txn_date": day(document.get("TxnDate")),
        "doc_number": document.get("DocNumber", "") or "",
        "department_qbo_id": ref_id(department),
        "department_name": ref_name(department),
    }


def _classed(detail: dict, document: dict) -> dict:
    klass = detail.get("ClassRef") or document.get("ClassRef")
    return {"class_qbo_id": ref_id(klass), "class_name": ref_name(klass)}


def _refs(prefix: str, ref: dict | None) -> dict:
    return {f"{prefix}_qbo_id": ref_id(ref), f"{prefix}_name": ref_name(ref)}


# --- Sales forms: Invoice, SalesReceipt (+), CreditMemo, RefundReceipt (-) -----------------------------------


def _sales_lines(lines: list) -> list[dict]:
    """Item, discount and description lines; a group line counts through its own lines."""
    found = []
    for line in lines:
        if line.get("DetailType") == "GroupLineDetail":
            found.extend(_sales_lines((line.get("GroupLineDetail") or {}).get("Line", [])))
        elif line.get("DetailType") in ("SalesItemLineDetail", "DiscountLineDetail"):
            found.append(line)
    return found


def sales_rows(document: dict, sign: int, tagging: Tagging, header: dict) -> list[dict]:
    rows = []
    for line in _sales_lines(document.get("Line", [])):
        tie = tagging.tag(
            line.get("ProjectRef") or document.get("ProjectRef"), document.get("CustomerRef"), charge=False
        )
        if tie is None:
            continue
        detail = line.get("SalesItemLineDetail") or line.get("DiscountLineDetail") or {}
        discount = -1 if line["DetailType"] == "DiscountLineDetail" else 1
        cost = number(line.get("CostAmount"))
        rows.append(
            {
                **header,
                **tie,
                **_classed(detail, document),
                **_refs("item", detail.get("ItemRef")),
                **_refs("account", detail.get("ItemAccountRef") or detail.get("DiscountAccountRef")),
                "line_id": str(line.get("Id", "")),
                "kind": Kind.REVENUE,
                "description": line.get("Description", ""),
                "qty": number(detail.get("Qty")),
                "unit_price": number(detail.get("UnitPrice")),
                "amount": sign * discount * money(line.get("Amount")),
                "cost_amount": None if cost is None else sign * cost,
            }
        )
    return rows


# --- Payment: one header-level row (money received, not revenue) ----------------------------------------------


def payment_rows(document: dict, tagging: Tagging, header: dict) -> list[dict]:
    tie = tagging.tag(document.get("ProjectRef"), document.get("CustomerRef"), charge=False)
    if tie is None:
        return []
    return [
        {
            **header,
            **tie,
            **_refs("account", document.get("DepositToAccountRef")),
            "line_id": "",
            "kind": Kind.PAYMENT,
            "amount": money(document.get("TotalAmt")),
            "description": document.get("PaymentRefNum", "") or "",
        }
    ]


# --- Bill, Purchase (expense; a card credit is negative), VendorCredit (negative), PurchaseOrder (a commitment) ----


def expense_rows(document: dict, kind: str, tagging: Tagging, header: dict, txn_type: str = "") -> list[dict]:
    credit = document.get("Credit") is True or txn_type == "VendorCredit"  # money back from the supplier
    sign = -1 if credit else 1
    rows = []
    for line in document.get("Line", []):
        detail_type = line.get("DetailType")
        if detail_type not in EXPENSE_DETAILS:
            continue
        detail = line.get(detail_type) or {}
        tie = tagging.tag(line.get("ProjectRef") or document.get("ProjectRef"), detail.get("CustomerRef"), charge=True)
        if tie is None:
            continue
        amount = sign * money(line.get("Amount"))
        rows.append(
            {
                **header,
                **tie,
                **_classed(detail, document),
                **_refs("item", detail.get("ItemRef")),
                **_refs("account", detail.get("AccountRef")),
                "line_id": str(line.get("Id", "")),
                "kind": kind,
                "description": line.get("Description", ""),
                "qty": number(detail.get("Qty")),
                "unit_price": number(detail.get("UnitPrice")),
                "amount": amount,
                "cost_amount": amount,
            }
        )
    return rows


# --- TimeActivity: hours x cost rate -------------------------------------------------------------------------


def hours(document: dict) -> Decimal:
    """Hours + Minutes/60, or EndTime - StartTime less the break (time-zone offsets ignored, as QuickBooks does)."""
    if document.get("StartTime") and document.get("EndTime"):
        start, end = (_wall_clock(document[key]) for key in ("StartTime", "EndTime"))
        worked = Decimal(int((end - start).total_seconds())) / 3600
        worked -= money(document.get("BreakHours")) + money(document.get("BreakMinutes")) / 60
    else:
        worked = money(document.get("Hours")) + money(document.get("Minutes")) / 60
    return worked.quantize(HOURS, rounding=ROUND_HALF_UP)


def _wall_clock(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def time_rows(document: dict, tagging: Tagging, header: dict) -> list[dict]:
    tie = tagging.tag(document.get("ProjectRef"), document.get("CustomerRef"), charge=True)
    if tie is None:
        return []
    worked = hours(document)
    person_type = "Vendor" if document.get("NameOf") == "Vendor" else "Employee"
    person = document.get(f"{person_type}Ref")
    # QuickBooks costs time at the TimeActivity's CostRate, else at the employee's (or vendor's) own CostRate.
    rate = number(document.get("CostRate"))
    if rate is None:
        rate = tagging.cost_rates.get((person_type, ref_id(person)))
    cost = (worked * rate).quantize(CENT, rounding=ROUND_HALF_UP) if rate is not None else Decimal("0.00")
    return [
        {
            **header,
            **tie,
            **_classed({}, document),
            **_refs("item", document.get("ItemRef")),
            "line_id": "",
            "kind": Kind.COST,
            "description": document.get("Description", "") or "",
            "hours": worked,
            "qty": worked,
            "unit_price": number(document.get("HourlyRate")),
            "amount": cost,
            "cost_amount": cost,
            "cost_rate": rate,
            "person_name": ref_name(person),
        }
    ]


# --- JournalEntry: debits +, credits -; a line to a cost account is cost, the rest stays a journal line -----------


def journal_rows(document: dict, tagging: Tagging, header: dict) -> list[dict]:
    rows = []
    for line in document.get("Line", []):
        detail = line.get("JournalEntryLineDetail")
        if not detail:
            continue
        entity = detail.get("Entity") or {}
        customer = entity.get("EntityRef") if entity.get("Type") == "Customer" else None
        tie = tagging.tag(line.get("ProjectRef") or detail.get("ProjectRef"), customer, charge=True)
        if tie is None:
            continue
        sign = -1 if detail.get("PostingType") == "Credit" else 1
        account_type = tagging.account_types.get(ref_id(detail.get("AccountRef")), "")
        rows.append(
            {
                **header,
                **tie,
                **_classed(detail, document),
                **_refs("account", detail.get("AccountRef")),
                "department_qbo_id": ref_id(detail.get("DepartmentRef") or document.get("DepartmentRef")),
                "department_name": ref_name(detail.get("DepartmentRef") or document.get("DepartmentRef")),
                "line_id": str(line.get("Id", "")),
                "kind": Kind.COST if account_type in COST_ACCOUNT_TYPES else Kind.JOURNAL,
                "description": line.get("Description", ""),
                "amount": sign * money(line.get("Amount")),
            }
        )
    return rows
