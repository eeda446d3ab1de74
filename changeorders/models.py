"""Local copies of QuickBooks change orders and their lines."""

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse

from projects.models import Estimate, Project, SalesDocument, SalesLine
from projects.models.sales import SIGNED_STATUSES, SalesDocumentManager, TxnStatus
from quickbooks.models.fields import money_field, unique_qbo_id


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

    def get_absolute_url(self) -> str | None:
        """Its page is under its project; a change order that names no project here has none."""
        if self.project_id is None:
            return None
        return reverse("changeorders:detail", args=[self.company_id, self.project_id, self.pk])

    def days_pending(self, today: date) -> int | None:
        """How long the customer took, or has taken so far: from the change order's date to its acceptance, or to
        `today` while it is pending in QuickBooks. None for drafts, rejected ones and acceptances without a date."""
        if self.txn_date is None:
            return None
        if self.booked_status == TxnStatus.PENDING:
            return (today - self.txn_date).days
        if self.booked_status in SIGNED_STATUSES and self.accepted_date:
            return (self.accepted_date - self.txn_date).days
        return None


class ChangeOrderLine(SalesLine):
    change_order = models.ForeignKey(ChangeOrder, on_delete=models.CASCADE, related_name="lines")
    linked_estimate_qbo_id = models.CharField("linked estimate QuickBooks id", max_length=32, blank=True)

    class Meta:
        ordering = ["change_order", "line_num", "id"]


class ChangeOrderEvent(models.Model):
    """One step in a change order's life, who took it and when: drafted, edited, sent, accepted, rejected, deleted,
    or changed in QuickBooks. Kept after the change order is deleted, so the project's log still tells what
    happened."""

    class Action(models.TextChoices):
        DRAFTED = "drafted", "Drafted"
        EDITED = "edited", "Edited"
        SENT = "sent", "Sent to QuickBooks"
        STATUS = "status", "Status set"
        DELETE_REQUESTED = "delete_requested", "Deletion sent to QuickBooks"
        DELETED = "deleted", "Deleted"
        IN_QUICKBOOKS = "in_quickbooks", "Changed in QuickBooks"

    company = models.ForeignKey("quickbooks.Company", on_delete=models.CASCADE, related_name="+")
    change_order = models.ForeignKey(
        ChangeOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    document = models.CharField("change order", max_length=100)  # its title then, which outlives a deletion
    action = models.CharField(max_length=20, choices=Action)
    status = models.CharField("status after", max_length=10, blank=True)
    amount = money_field("total before tax", null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)  # "accepted by Dana Reyes on 2026-03-02"
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["company", "project", "at"], name="change_order_event_by_project")]

    def __str__(self):
        return f"{self.document}: {self.get_action_display()}"

    @classmethod
    def of(cls, order: ChangeOrder, action: str, *, by=None, detail: str = "", booked: bool = False):
        """An unsaved event for `order` as it stands: its status and amount as QuickBooks holds them (`booked`, for
        what QuickBooks did) or as Costline holds them (for what a person did here). A deletion outlives the row."""
        return cls(
            company_id=order.company_id,
            change_order=None if action == cls.Action.DELETED else order,
            project_id=order.project_id,
            document=str(order),
            action=action,
            status=order.booked_status if booked else order.status,
            amount=order.booked_subtotal if booked else order.total_amount,
            detail=detail,
            by=by,
        )
