"""The journal entry a closed period's WIP calls for: the over and under billing (and any loss provision) booked at
the period end, project by project, to the accounts the company chose once (docs/figures.md, The WIP journal entry).

Per project, from the figures the close stored:
- under billing U (earned past billed): debit the asset "costs and estimated earnings in excess of billings", credit
  contract revenue;
- over billing O (billed past earned): debit contract revenue, credit the liability "billings in excess of costs and
  estimated earnings";
- a loss provision P (a projected loss not yet in gross profit): debit the provision expense, credit the provision
  liability.
Every pair balances, so the entry does. It is booked at the period end and reversed on the first day of the next.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from quickbooks.models import ReferenceRecord
from reports.exports import DATE, MONEY, Column, Table, dated_name

from .models import WipAccounts, WipClose
from .services import stored_rows

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class JournalLine:
    account_id: str
    account: str
    debit: Decimal
    credit: Decimal
    project: str
    memo: str


@dataclass
class Journal:
    close: WipClose
    lines: list[JournalLine]
    missing: list[str]  # accounts still to choose, in words

    @property
    def debits(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credits(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def reversal_date(self):
        return self.close.period_end + timedelta(days=1)


def _names(company, ids: set[str]) -> dict[str, str]:
    rows = ReferenceRecord.objects.filter(company=company, entity="Account", qbo_id__in=[i for i in ids if i])
    return {r.qbo_id: r.fully_qualified_name or r.name or r.qbo_id for r in rows}


def journal(close: WipClose) -> Journal:
    """The entry for `close`'s stored figures; with no accounts chosen yet, the amounts with the accounts missing."""
    accounts = WipAccounts.objects.filter(company=close.company).first()
    ids = {
        "revenue": accounts.revenue_qbo_id if accounts else "",
        "under": accounts.under_billing_qbo_id if accounts else "",
        "over": accounts.over_billing_qbo_id if accounts else "",
        "loss_expense": accounts.loss_expense_qbo_id if accounts else "",
        "loss_provision": accounts.loss_provision_qbo_id if accounts else "",
    }
    names = _names(close.company, set(ids.values()))
    memo = f"WIP adjustment at {close.period_end:%Y-%m-%d}; reverse on {close.period_end + timedelta(days=1):%Y-%m-%d}"
    lines: list[JournalLine] = []

    def pair(debit_key: str, credit_key: str, amount: Decimal, project: str, what: str) -> None:
        for key, debit, credit in ((debit_key, amount, ZERO), (credit_key, ZERO, amount)):
            lines.append(JournalLine(ids[key], names.get(ids[key], ""), debit, credit, project, f"{what}. {memo}"))

    needed = set()
    for row in stored_rows(close):
        if row.under_billing:
            pair("under", "revenue", row.under_billing, row.project, "Under billing")
            needed |= {"under", "revenue"}
        if row.over_billing:
            pair("revenue", "over", row.over_billing, row.project, "Over billing")
            needed |= {"over", "revenue"}
        if row.loss_provision:
            pair("loss_expense", "loss_provision", -row.loss_provision, row.project, "Provision for the projected loss")
            needed |= {"loss_expense", "loss_provision"}
    words = {
        "revenue": "contract revenue",
        "under": "costs and estimated earnings in excess of billings",
        "over": "billings in excess of costs and estimated earnings",
        "loss_expense": "provision for losses (expense)",
        "loss_provision": "provision for losses (liability)",
    }
    missing = [words[key] for key in words if key in needed and not ids[key]]
    return Journal(close, lines, missing)


def journal_table(found: Journal) -> Table:
    close = found.close
    rows = [
        [close.period_end, line.account or line.account_id or "(choose the account)", line.debit or None,
         line.credit or None, line.project, line.memo]
        for line in found.lines
    ]  # fmt: skip
    return Table(
        name=dated_name(close.company.name, f"wip-journal-{close.period_end:%Y-%m-%d}"),
        sheet="WIP journal entry",
        columns=[
            Column("Date", DATE, 12),
            Column("Account", width=40),
            Column("Debit", MONEY),
            Column("Credit", MONEY),
            Column("Project", width=32),
            Column("Memo", width=60),
        ],
        rows=rows,
        totals=["", "Total", found.debits, found.credits, "", ""],
    )
