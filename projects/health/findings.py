"""The data-health checks: project mis-coding already in the books (docs/architecture.md, Domain rules), as querysets.

(a) sub-customers that look like projects but are not (Job true, IsProject false): "Invalid ProjectRef" waiting
    to happen; (b) lines charged to a project's customer, or to a project through CustomerRef, without ProjectRef,
    grouped by transaction with the project each most likely belongs to; (c) Costline projects whose customer
    record is inactive or missing in QuickBooks. Each function runs a fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from quickbooks.models import ReferenceRecord

from ..models import LedgerLine, Project
from ..models.retag import RetagRequest

TaggedBy = LedgerLine.TaggedBy
# Where a transaction type carries its project tie: on each line, or once on the header.
LINE_LEVEL = ("Bill", "Purchase", "VendorCredit", "PurchaseOrder", "JournalEntry")
HEADER_LEVEL = ("Invoice", "SalesReceipt", "CreditMemo", "RefundReceipt", "Payment", "TimeActivity")


# --- (a) Look-alike sub-customers ----------------------------------------------------------------------------


def lookalike_subcustomers(company):
    """Customers QuickBooks marks Job (a sub-customer) but not IsProject: not usable as a ProjectRef."""
    customers = ReferenceRecord.objects.filter(company=company, entity="Customer")
    projects = Project.objects.filter(company=company, deleted=False, customer_qbo_id=OuterRef("parent_qbo_id"))
    return (
        customers.filter(is_job=True, is_project=False)
        .annotate(parent_has_projects=Exists(projects))
        .order_by("fully_qualified_name", "qbo_id")
    )


# --- (b) Lines charged without ProjectRef ---------------------------------------------------------------------


def miscoded_lines(company):
    """Ledger lines tied to a project (or a project's customer) through CustomerRef only."""
    return LedgerLine.objects.filter(company=company, tagged_by=TaggedBy.CUSTOMER_REF).order_by(
        "txn_date", "txn_type", "txn_qbo_id", "line_id", "pk"
    )


@dataclass
class MiscodedTransaction:
    """One transaction's lines charged without ProjectRef, the projects they may belong to, and any re-tag."""

    txn_type: str
    txn_qbo_id: str
    lines: list = field(default_factory=list)
    candidates: list = field(default_factory=list)  # Project rows, most likely first
    retag: RetagRequest | None = None  # the latest re-tag asked for this transaction

    @property
    def first(self) -> LedgerLine:
        return self.lines[0]

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def suggested(self) -> Project | None:
        """The project the lines most likely belong to: the only one there is to choose."""
        return self.candidates[0] if len(self.candidates) == 1 else None

    @property
    def level(self) -> str:
        return "line" if self.txn_type in LINE_LEVEL else "header"

    @property
    def waiting(self) -> bool:
        return self.retag is not None and self.retag.sync_state == "pending_push"


def candidate_projects(company) -> tuple[dict[str, Project], dict[str, list[Project]]]:
    """The company's live projects by QuickBooks id, and by their customer's id (one query)."""
    by_id, by_customer = {}, defaultdict(list)
    for project in Project.objects.filter(company=company, deleted=False).exclude(qbo_id="").order_by("name", "pk"):
        by_id[project.qbo_id] = project
        by_customer[project.customer_qbo_id].append(project)
    return by_id, by_customer


def _candidates(lines, by_id, by_customer) -> list[Project]:
    named = [by_id[line.project_qbo_id] for line in lines if line.project_qbo_id in by_id]
    if named:  # the CustomerRef names a project itself: that project, nothing to choose
        return list(dict.fromkeys(named))
    customers = dict.fromkeys(line.customer_qbo_id for line in lines)
    return [project for customer in customers for project in by_customer.get(customer, [])]


def latest_retags(company) -> dict[tuple[str, str], RetagRequest]:
    """The latest re-tag asked for each transaction (one query)."""
    latest = {}
    for retag in RetagRequest.objects.filter(company=company).order_by("requested_at", "pk"):
        latest[(retag.txn_type, retag.qbo_id)] = retag
    return latest


def miscoded_transactions(company, *, retags: dict | None = None) -> list[MiscodedTransaction]:
    """Check (b), grouped by transaction in date order. Three queries, however many lines."""
    by_id, by_customer = candidate_projects(company)
    retags = latest_retags(company) if retags is None else retags
    groups: dict[tuple[str, str], MiscodedTransaction] = {}
    for line in miscoded_lines(company):
        key = (line.txn_type, line.txn_qbo_id)
        groups.setdefault(key, MiscodedTransaction(*key)).lines.append(line)
    for key, group in groups.items():
        group.candidates = _candidates(group.lines, by_id, by_customer)
        group.retag = retags.get(key)
    return list(groups.values())


def miscoded_transaction(company, txn_type: str, txn_qbo_id: str) -> MiscodedTransaction | None:
    """One transaction of check (b), or None when none of its lines is charged without ProjectRef."""
    lines = list(miscoded_lines(company).filter(txn_type=txn_type, txn_qbo_id=txn_qbo_id))
    if not lines:
        return None
    by_id, by_customer = candidate_projects(company)
    group = MiscodedTransaction(txn_type, txn_qbo_id, lines, _candidates(lines, by_id, by_customer))
    group.retag = latest_retags(company).get((txn_type, txn_qbo_id))
    return group


# --- (c) Projects whose customer record is inactive or missing ----------------------------------------------


def orphaned_projects(company):
    """Live projects whose own Customer record, or their parent customer's, is inactive or not in QuickBooks'
    customer list as last pulled. Annotated `record_state` / `parent_state`: "active", "inactive", "missing"."""
    customers = ReferenceRecord.objects.filter(company=company, entity="Customer")
    own = customers.filter(qbo_id=OuterRef("qbo_id"))
    parent = customers.filter(qbo_id=OuterRef("customer_qbo_id"))
    projects = Project.objects.filter(company=company, deleted=False).annotate(
        record_known=Exists(own),
        record_active=Exists(own.filter(active=True)),
        parent_known=Exists(parent),
        parent_active=Exists(parent.filter(active=True)),
    )
    bad = (
        Q(record_known=False)
        | Q(record_active=False)
        | Q(active=False)
        | (~Q(customer_qbo_id="") & (Q(parent_known=False) | Q(parent_active=False)))
    )
    return projects.filter(bad).with_actuals().order_by("name", "pk")


def state(known: bool, active: bool) -> str:
    return "missing" if not known else ("active" if active else "inactive")


def uncosted_time(company):
    """Time charged to a project with no cost rate anywhere (not on the TimeActivity, not on the employee or
    vendor): it costs 0.00 until QuickBooks has a rate, so the project's cost to date is short."""
    lines = LedgerLine.objects.filter(company=company, txn_type="TimeActivity", kind=LedgerLine.Kind.COST)
    return lines.filter(cost_rate__isnull=True).select_related("project").order_by("txn_date", "txn_qbo_id")


# --- The page's figures ---------------------------------------------------------------------------------------


@dataclass
class Health:
    lookalikes: list
    miscoded: list[MiscodedTransaction]
    orphans: list
    customers_pulled: bool
    retags: list
    uncosted_time: list

    @property
    def miscoded_amount(self) -> Decimal:
        return sum((group.amount for group in self.miscoded), Decimal("0.00"))

    @property
    def miscoded_line_count(self) -> int:
        return sum(len(group.lines) for group in self.miscoded)

    @property
    def orphan_cost(self) -> Decimal:
        return sum((project.cost_to_date for project in self.orphans), Decimal("0.00"))

    @property
    def problems(self) -> int:
        return len(self.lookalikes) + len(self.miscoded) + len(self.orphans) + len(self.uncosted_time)

    @property
    def uncosted_hours(self) -> Decimal:
        return sum((line.hours or Decimal(0) for line in self.uncosted_time), Decimal(0))


RECENT_RETAGS = 20


def health(company) -> Health:
    """Everything the data-health page shows, in eight queries whatever the company's size."""
    retags = list(
        RetagRequest.objects.filter(company=company)
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")[:RECENT_RETAGS]
    )
    latest = latest_retags(company)
    customers_pulled = ReferenceRecord.objects.filter(company=company, entity="Customer").exists()
    orphans = list(orphaned_projects(company)) if customers_pulled else []
    for project in orphans:
        project.record_state = state(project.record_known, project.record_active and project.active)
        project.parent_state = state(project.parent_known, project.parent_active) if project.customer_qbo_id else ""
    return Health(
        lookalikes=list(lookalike_subcustomers(company)),
        miscoded=miscoded_transactions(company, retags=latest),
        orphans=orphans,
        customers_pulled=customers_pulled,
        retags=retags,
        uncosted_time=list(uncosted_time(company)),
    )
