"""Local copies of QuickBooks change orders and their lines."""

from django.db import models

from projects.models import Estimate, Project, SalesDocument, SalesLine
from projects.models.sales import SalesDocumentManager
from quickbooks.models.fields import unique_qbo_id


class ChangeOrder(SalesDocument):
    """A change to one project estimate (QuickBooks ChangeOrder): every line links that parent estimate."""

    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="change_orders")
    estimate_qbo_id = models.CharField("parent estimate QuickBooks id", max_length=32, blank=True)
    estimate = models.ForeignKey(
        Estimate, on_delete=models.SET_NULL, null=True, blank=True, related_name="change_orders"
    )

    objects = SalesDocumentManager()

    class Meta:
        ordering = ["-txn_date", "-id"]
        constraints = [unique_qbo_id("change_order_unique_qbo_id")]
        indexes = [
            models.Index(fields=["company", "project_qbo_id", "status"], name="change_order_by_project"),
            models.Index(fields=["company", "estimate_qbo_id"], name="change_order_by_estimate"),
        ]


class ChangeOrderLine(SalesLine):
    change_order = models.ForeignKey(ChangeOrder, on_delete=models.CASCADE, related_name="lines")
    linked_estimate_qbo_id = models.CharField("linked estimate QuickBooks id", max_length=32, blank=True)

    class Meta:
        ordering = ["change_order", "line_num", "id"]
