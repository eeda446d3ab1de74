"""Local copies of QuickBooks change orders, and the contract value they add to a project."""

from django.db import models

from projects.models import (
    MONEY_FIELD,
    Estimate,
    Project,
    SalesDocument,
    SalesLine,
    TxnStatus,
    sum_per_project,
    unique_qbo_id,
)


class ChangeOrderQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(status=TxnStatus.ACCEPTED)


class ChangeOrder(SalesDocument):
    """A change to one project estimate (QuickBooks ChangeOrder): every line links that parent estimate."""

    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="change_orders")
    estimate_qbo_id = models.CharField("parent estimate QuickBooks id", max_length=32, blank=True)
    estimate = models.ForeignKey(
        Estimate, on_delete=models.SET_NULL, null=True, blank=True, related_name="change_orders"
    )

    objects = ChangeOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-txn_date", "-id"]
        constraints = [unique_qbo_id("change_order_unique_qbo_id")]
        indexes = [
            models.Index(fields=["company", "project_qbo_id", "status"], name="change_order_by_project"),
            models.Index(fields=["company", "estimate_qbo_id"], name="change_order_by_estimate"),
        ]

    @property
    def is_accepted(self) -> bool:
        return self.status == TxnStatus.ACCEPTED


class ChangeOrderLine(SalesLine):
    change_order = models.ForeignKey(ChangeOrder, on_delete=models.CASCADE, related_name="lines")
    linked_estimate_qbo_id = models.CharField("linked estimate QuickBooks id", max_length=32, blank=True)

    class Meta:
        ordering = ["change_order", "line_num", "id"]


def with_contract_value(projects):
    """Annotate projects with `estimate_total`, `change_order_total` and `contract_value` (DESIGN.md section 5:
    the project estimate plus accepted change orders), in the one query that lists the projects.

    Estimates count unless rejected; change orders only once accepted. Totals are QuickBooks' TotalAmt.
    """
    estimates = Estimate.objects.exclude(status=TxnStatus.REJECTED)
    projects = projects.annotate(
        estimate_total=sum_per_project(estimates, "total_amount"),
        change_order_total=sum_per_project(ChangeOrder.objects.accepted(), "total_amount"),
    )
    return projects.annotate(
        contract_value=models.ExpressionWrapper(
            models.F("estimate_total") + models.F("change_order_total"), output_field=MONEY_FIELD
        )
    )
