"""The project ledger: every QuickBooks transaction line charged to a project (its actuals and commitments)."""

from django.db import models

from quickbooks.models import Company
from quickbooks.models.fields import money_field, quantity_field


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
    # No index of its own: lines are looked up by project_qbo_id (they reach a project only through its QuickBooks
    # id), and an index in random project order costs every line a pull inserts. Deleting a project, which sets
    # this to NULL, reads the ledger table instead: rare, and about 25 ms at 200,000 lines on SQLite.
    project = models.ForeignKey(
        "Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="ledger", db_index=False
    )
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
    qty = quantity_field(null=True, blank=True)
    unit_price = quantity_field(null=True, blank=True)
    amount = money_field(default=0)
    cost_amount = money_field(null=True, blank=True)
    hours = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    # Time: who worked, and the cost rate the hours were costed at (TimeActivity.CostRate, else the employee's or
    # vendor's); none found means the time costs 0.00 and the Health page lists it.
    person_name = models.CharField(max_length=500, blank=True)
    cost_rate = quantity_field(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["txn_date", "txn_type", "txn_qbo_id", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "txn_type", "txn_qbo_id", "line_id"], name="ledger_line_unique")
        ]
        indexes = [
            # Every lookup by project goes through this one index: the ledger page and its filter choices (txn_type
            # last, so the type choices are read from the index), the export, and the dashboard's and the WIP's
            # per-project sums to a date, covered (amount read from the index, no row lookups): at 200,000 lines
            # the totals query drops from ~250 ms to ~40 ms on SQLite (bench/dashboard.py, bench/wip.py). One
            # index in project order, not two, and none on the project key: inserts land all over such an index,
            # so on SQLite each cost a pull's ledger inserts most of what the table itself does (bench/first_pull.py).
            models.Index(
                fields=["company", "project_qbo_id", "kind", "txn_date", "amount", "txn_type"], name="ledger_by_project"
            ),
            models.Index(fields=["company", "tagged_by"], name="ledger_by_tag"),
        ]

    def __str__(self):
        return f"{self.txn_type} {self.doc_number or self.txn_qbo_id} line {self.line_id or '-'}: {self.amount}"
