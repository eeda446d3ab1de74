"""What estimates and change orders share: QuickBooks' TxnStatus, the document header and its lines."""

from django.db import models

from quickbooks.models import SyncedObject, SyncState
from quickbooks.models.fields import money_field, quantity_field


class TxnStatus(models.TextChoices):
    """Estimate and change-order status (QuickBooks' TxnStatus)."""

    PENDING = "Pending", "Pending"
    ACCEPTED = "Accepted", "Accepted"
    CLOSED = "Closed", "Closed"
    REJECTED = "Rejected", "Rejected"
    CONVERTED = "Converted", "Converted"


# What a signed contract is made of (docs/figures.md): accepted, closed (the work done) or converted to an invoice.
SIGNED_STATUSES = (TxnStatus.ACCEPTED, TxnStatus.CLOSED, TxnStatus.CONVERTED)


class SalesDocumentQuerySet(models.QuerySet):
    def signed(self):
        """In the contract: signed as QuickBooks holds it (a local status change not yet there does not count)."""
        return self.filter(booked_status__in=SIGNED_STATUSES)


class SalesDocumentManager(models.Manager):
    """Written out rather than `from_queryset`, which the type checker resolves only on a cold cache."""

    def get_queryset(self) -> SalesDocumentQuerySet:
        return SalesDocumentQuerySet(self.model, using=self._db)

    def signed(self) -> SalesDocumentQuerySet:
        return self.get_queryset().signed()


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
    total_amount = money_field(default=0)
    total_cost_amount = money_field(null=True, blank=True)
    total_tax = money_field(default=0)
    # The document as QuickBooks last answered it, which the books count: a local edit or status change waiting
    # to go out (or in conflict) changes the fields above, never these. Empty status: never in QuickBooks.
    booked_status = models.CharField("status in QuickBooks", max_length=10, blank=True)
    booked_subtotal = money_field("total before tax in QuickBooks", default=0)
    booked_cost = money_field("total cost in QuickBooks", null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        """ "Estimate 1012"; a document QuickBooks has not numbered yet says so rather than show Costline's row id,
        which reads like a QuickBooks number."""
        noun = str(self._meta.verbose_name).capitalize()
        if self.doc_number:
            return f"{noun} {self.doc_number}"
        return f"{noun} (QuickBooks id {self.qbo_id})" if self.qbo_id else f"{noun} (no number yet)"

    # Where the document stands toward the contract value (docs/figures.md), one row at a time; the sums over many
    # are SalesDocumentQuerySet.signed() and reports.figures.with_contract_value.
    @property
    def in_contract(self) -> bool:
        """Signed in QuickBooks, on a project: its booked subtotal is in the contract value."""
        return self.booked_status in SIGNED_STATUSES and bool(self.project_qbo_id)

    @property
    def is_proposed(self) -> bool:
        """Pending in QuickBooks, on a project: shown beside the contract value, never in it."""
        return self.booked_status == TxnStatus.PENDING and bool(self.project_qbo_id)

    @property
    def is_unsent(self) -> bool:
        """A draft, or a local copy that differs from QuickBooks' (waiting to go out, or in conflict)."""
        return not self.qbo_id or self.sync_state != SyncState.SYNCED


class SalesLine(models.Model):
    """A line of an estimate or change order, as QuickBooks numbers it."""

    line_id = models.CharField(max_length=32, blank=True)
    line_num = models.PositiveIntegerField(default=0)
    detail_type = models.CharField(max_length=40, default="SalesItemLineDetail")
    item_qbo_id = models.CharField("item QuickBooks id", max_length=32, blank=True)
    item_name = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    qty = quantity_field(null=True, blank=True)
    unit_price = quantity_field(null=True, blank=True)
    amount = money_field(default=0)
    unit_cost = quantity_field(null=True, blank=True)
    cost_amount = money_field(null=True, blank=True)
    tax_code = models.CharField(max_length=32, blank=True)
    class_qbo_id = models.CharField("class QuickBooks id", max_length=32, blank=True)
    class_name = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"Line {self.line_num}: {self.item_name or self.description[:40]}"
