"""Contract value, defined once: signed project estimates + signed change orders, before tax, as QuickBooks holds
them (docs/figures.md). It lives here, the lowest layer that knows both estimates and change orders, so the change
order pages and the reports (dashboard, project page, exports) count it the same way."""

from decimal import Decimal

from django.db.models import ExpressionWrapper, F, QuerySet

from projects.models import Estimate, Project, sum_per_project
from quickbooks.models.fields import MONEY_FIELD

from .models import ChangeOrder


def with_contract_value(projects: QuerySet) -> QuerySet:
    """Annotate projects with `estimate_total`, `change_order_total` and `contract_value`, in the one query that
    lists them. Proposed (pending) documents, drafts and local edits not yet in QuickBooks are never inside it."""
    projects = projects.annotate(
        estimate_total=sum_per_project(Estimate.objects.signed(), "booked_subtotal"),
        change_order_total=sum_per_project(ChangeOrder.objects.signed(), "booked_subtotal"),
    )
    return projects.annotate(
        contract_value=ExpressionWrapper(F("estimate_total") + F("change_order_total"), output_field=MONEY_FIELD)
    )


def contract_value(project: Project) -> Decimal:
    """One project's contract value now."""
    return with_contract_value(Project.objects.filter(pk=project.pk)).values_list("contract_value", flat=True).get()
