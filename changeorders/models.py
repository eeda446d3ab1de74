"""Local copies of QuickBooks change orders, and the contract value they add to a project."""

from django.db import models
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from projects.models import Estimate, Project, SalesDocument, SalesLine, TxnStatus, unique_qbo_id

MONEY_FIELD = DecimalField(max_digits=15, decimal_places=2)


class ChangeOrderQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(status=TxnStatus.ACCEPTED)


class ChangeOrder(SalesDocument):
    """A change to one project estimate (QuickBooks ChangeOrder): every line links that parent estimate."""

    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="change_orders")
    estimate_qbo_id = models.CharField("parent estimate QuickBooks id", max_length=32, blank=True)
    estimate = models.ForeignKey(Estimate, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="change_orders")

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


def _total_per_project(queryset) -> Subquery:
    """The sum of `total_amount` of the rows naming the outer project, as a correlated subquery."""
    rows = queryset.filter(company=OuterRef("company"), project_qbo_id=OuterRef("qbo_id"))
    summed = rows.order_by().values("project_qbo_id").annotate(total=Sum("total_amount")).values("total")
    return Coalesce(Subquery(summed, output_field=MONEY_FIELD), Value(0), output_field=MONEY_FIELD)


def with_contract_value(projects):
    """Annotate projects with `estimate_total`, `change_order_total` and `contract_value` (DESIGN.md section 5:
    the project estimate plus accepted change orders), in the one query that lists the projects.

    Estimates count unless rejected; change orders only once accepted. Totals are QuickBooks' TotalAmt.
    """
    estimates = Estimate.objects.exclude(status=TxnStatus.REJECTED)
    projects = projects.annotate(
        estimate_total=_total_per_project(estimates),
        change_order_total=_total_per_project(ChangeOrder.objects.accepted()),
    )
    return projects.annotate(contract_value=models.ExpressionWrapper(
        models.F("estimate_total") + models.F("change_order_total"), output_field=MONEY_FIELD))
