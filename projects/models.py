"""Local copies of QuickBooks projects, project estimates, and the project ledger (actuals)."""

from django.db import models
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from quickbooks.models import Company, SyncedObject

MONEY = {"max_digits": 15, "decimal_places": 2}
MONEY_FIELD = DecimalField(**MONEY)
QUANTITY = {"max_digits": 20, "decimal_places": 7}  # QuickBooks keeps quantities and unit prices to 7 places


def sum_per_project(rows, field: str) -> Coalesce:
    """Sum of `field` over `rows` naming the outer project (by QuickBooks id), as a correlated subquery: lists
    of projects carry their figures in the one query that lists them, however many projects there are."""
    rows = rows.filter(company=OuterRef("company"), project_qbo_id=OuterRef("qbo_id"))
    summed = rows.order_by().values("project_qbo_id").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(summed, output_field=MONEY_FIELD), Value(0), output_field=MONEY_FIELD)


class ProjectQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted=False)

    def with_actuals(self):
        """`cost_to_date` and `billed_to_date` from the ledger, and `gross_margin` (billed less cost).

        Costs are bills, expenses and time (at cost rate) less vendor credits; billed is invoices and sales
        receipts less credit memos and refunds (DESIGN.md section 5). Purchase orders are commitments, not
        costs; journal lines wait for account types to tell revenue from cost, so they are not counted yet.
        """
        ledger = LedgerLine.objects.all()
        return self.annotate(
            cost_to_date=sum_per_project(ledger.filter(kind=LedgerLine.Kind.COST), "amount"),
            billed_to_date=sum_per_project(ledger.filter(kind=LedgerLine.Kind.REVENUE), "amount"),
        ).annotate(gross_margin=models.ExpressionWrapper(F("billed_to_date") - F("cost_to_date"),
                                                         output_field=MONEY_FIELD))

    def search(self, text: str):
        """Projects whose name or customer's name contains `text` (any case)."""
        text = text.strip()
        return self.filter(Q(name__icontains=text) | Q(customer_name__icontains=text)) if text else self

    def for_dashboard(self, company):
        """The company's projects, pinned first as QuickBooks lists them, with actuals."""
        return self.filter(company=company).live().with_actuals().order_by("-pinned", "name", "pk")


def unique_qbo_id(name: str) -> models.UniqueConstraint:
    """One local copy per QuickBooks object; rows not yet sent to QuickBooks have no id."""
    return models.UniqueConstraint(fields=["company", "qbo_id"], condition=~Q(qbo_id=""), name=name)


class Project(SyncedObject):
    """A QuickBooks project: a Customer with IsProject true, and (where the plan has the Projects API) its
    project fields. `qbo_id` is the project's Customer Id, which is also its Projects API id."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        BLOCKED = "BLOCKED", "Blocked"
        CANCELED = "CANCELED", "Canceled"
        COMPLETE = "COMPLETE", "Complete"
        OTHER = "OTHER", "Other"

    name = models.CharField(max_length=500)
    fully_qualified_name = models.CharField(max_length=1000, blank=True)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.OTHER)
    priority = models.SmallIntegerField(null=True, blank=True)
    customer_qbo_id = models.CharField("customer QuickBooks id", max_length=32, blank=True)
    customer_name = models.CharField(max_length=500, blank=True)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    completed_date = models.DateField(null=True, blank=True)
    completion_rate = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    pinned = models.BooleanField(default=False)
    email_addresses = models.JSONField(default=list, blank=True)
    addresses = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    deleted = models.BooleanField(default=False)
    # The Projects API's node as last pulled (the Customer document is in qbo_document).
    project_document = models.JSONField(null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [unique_qbo_id("project_unique_qbo_id")]
        indexes = [
            models.Index(fields=["company", "status"], name="project_by_status"),
            models.Index(fields=["company", "customer_qbo_id"], name="project_by_customer"),
        ]

    def __str__(self):
        return self.fully_qualified_name or self.name


class TxnStatus(models.TextChoices):
    """Estimate and change-order status (QuickBooks' TxnStatus)."""

    PENDING = "Pending", "Pending"
    ACCEPTED = "Accepted", "Accepted"
    CLOSED = "Closed", "Closed"
    REJECTED = "Rejected", "Rejected"
    CONVERTED = "Converted", "Converted"


class SalesDocument(SyncedObject):
    """What estimates and change orders share: header, customer and project, totals."""

    doc_number = models.CharField(max_length=21, blank=True)
    txn_date = models.DateField(null=True, blank=True)
    expiration_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=TxnStatus, default=TxnStatus.PENDING)
    accepted_by = models.CharField(max_length=200, blank=True)
    accepted_date = models.DateField(null=True, blank=True)
    customer_qbo_id = models.CharField("customer QuickBooks id", max_length=32, blank=True)
    customer_name = models.CharField(max_length=500, blank=True)
    project_qbo_id = models.CharField("project QuickBooks id", max_length=32, blank=True)
    class_qbo_id = models.CharField("class QuickBooks id", max_length=32, blank=True)
    class_name = models.CharField(max_length=500, blank=True)
    department_qbo_id = models.CharField("location QuickBooks id", max_length=32, blank=True)
    department_name = models.CharField("location", max_length=500, blank=True)
    private_note = models.TextField(blank=True)
    customer_memo = models.TextField(blank=True)
    total_amount = models.DecimalField(**MONEY, default=0)
    total_cost_amount = models.DecimalField(**MONEY, null=True, blank=True)
    total_tax = models.DecimalField(**MONEY, default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} {self.doc_number or self.qbo_id or self.pk}"


class Estimate(SalesDocument):
    """A QuickBooks Estimate; a project estimate when it carries a ProjectRef."""

    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="estimates")

    class Meta:
        ordering = ["-txn_date", "-id"]
        constraints = [unique_qbo_id("estimate_unique_qbo_id")]
        indexes = [models.Index(fields=["company", "project_qbo_id"], name="estimate_by_project")]


class SalesLine(models.Model):
    """A line of an estimate or change order, as QuickBooks numbers it."""

    line_id = models.CharField(max_length=32, blank=True)
    line_num = models.PositiveIntegerField(default=0)
    detail_type = models.CharField(max_length=40, default="SalesItemLineDetail")
    item_qbo_id = models.CharField("item QuickBooks id", max_length=32, blank=True)
    item_name = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    qty = models.DecimalField(**QUANTITY, null=True, blank=True)
    unit_price = models.DecimalField(**QUANTITY, null=True, blank=True)
    amount = models.DecimalField(**MONEY, default=0)
    unit_cost = models.DecimalField(**QUANTITY, null=True, blank=True)
    cost_amount = models.DecimalField(**MONEY, null=True, blank=True)
    tax_code = models.CharField(max_length=32, blank=True)
    class_qbo_id = models.CharField("class QuickBooks id", max_length=32, blank=True)
    class_name = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"Line {self.line_num}: {self.item_name or self.description[:40]}"


class EstimateLine(SalesLine):
    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["estimate", "line_num", "id"]


class LedgerLine(models.Model):
    """One transaction line charged to a project: the project's actuals (and commitments).

    Rebuilt from QuickBooks whenever its transaction is pulled; never edited here, so it is not a SyncedObject.
    `amount` carries the sign an accountant reads: revenue less credit memos and refunds, costs less credits.
    """

    class Kind(models.TextChoices):
        REVENUE = "revenue", "Revenue"
        COST = "cost", "Cost"
        COMMITMENT = "commitment", "Commitment (purchase order)"
        PAYMENT = "payment", "Payment received"
        JOURNAL = "journal", "Journal entry (debit +, credit -)"

    class TaggedBy(models.TextChoices):
        PROJECT_REF = "project_ref", "ProjectRef"
        CUSTOMER_REF = "customer_ref", "CustomerRef only"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    project_qbo_id = models.CharField("project QuickBooks id", max_length=32, blank=True)
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="ledger")
    customer_qbo_id = models.CharField("customer QuickBooks id", max_length=32, blank=True)
    customer_name = models.CharField(max_length=500, blank=True)
    tagged_by = models.CharField(max_length=12, choices=TaggedBy)
    txn_type = models.CharField(max_length=20)
    txn_qbo_id = models.CharField("transaction QuickBooks id", max_length=32)
    txn_sync_token = models.CharField(max_length=16, blank=True)
    line_id = models.CharField(max_length=32, blank=True)  # "" for header-level rows (Payment, TimeActivity)
    txn_date = models.DateField(null=True, blank=True)
    doc_number = models.CharField(max_length=21, blank=True)
    kind = models.CharField(max_length=10, choices=Kind)
    account_qbo_id = models.CharField("account QuickBooks id", max_length=32, blank=True)
    account_name = models.CharField(max_length=500, blank=True)
    item_qbo_id = models.CharField("item QuickBooks id", max_length=32, blank=True)
    item_name = models.CharField(max_length=500, blank=True)
    class_qbo_id = models.CharField("class QuickBooks id", max_length=32, blank=True)
    class_name = models.CharField(max_length=500, blank=True)
    department_qbo_id = models.CharField("location QuickBooks id", max_length=32, blank=True)
    department_name = models.CharField("location", max_length=500, blank=True)
    qty = models.DecimalField(**QUANTITY, null=True, blank=True)
    unit_price = models.DecimalField(**QUANTITY, null=True, blank=True)
    amount = models.DecimalField(**MONEY, default=0)
    cost_amount = models.DecimalField(**MONEY, null=True, blank=True)
    hours = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["txn_date", "txn_type", "txn_qbo_id", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "txn_type", "txn_qbo_id", "line_id"], name="ledger_line_unique")
        ]
        indexes = [
            # Serves every lookup by project (and kind), and covers the dashboard's per-project sums (amount read
            # from the index, no row lookups): at 200,000 lines the totals query drops from ~250 ms to ~40 ms on
            # SQLite (bench/dashboard.py). One index, not two: each costs every ledger insert on a pull.
            models.Index(fields=["company", "project_qbo_id", "kind", "amount"], name="ledger_amounts_by_project"),
            models.Index(fields=["company", "tagged_by"], name="ledger_by_tag"),
            models.Index(fields=["company", "txn_date"], name="ledger_by_date"),
        ]

    def __str__(self):
        return f"{self.txn_type} {self.doc_number or self.txn_qbo_id} line {self.line_id or '-'}: {self.amount}"


from .models_retag import RetagRequest  # noqa: E402, F401 - the re-tag request (issue 6), in the projects app
