"""What estimates and change orders share: QuickBooks' TxnStatus, the document header and its lines."""

from django.db import models

from quickbooks.models import SyncedObject
from quickbooks.models.fields import money_field, quantity_field


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
    total_amount = money_field(default=0)
    total_cost_amount = money_field(null=True, blank=True)
    total_tax = money_field(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} {self.doc_number or self.qbo_id or self.pk}"


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
