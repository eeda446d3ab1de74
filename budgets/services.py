"""Writes to budgets that start in Costline. The Budgets API has no query that lists budgets (docs/quickbooks-api.md,
Budgets): a budget made in QuickBooks is tracked once someone gives Costline its id, and is then kept in step by
every pull."""

from django.core.exceptions import PermissionDenied, ValidationError

from projects.documents.state import plan_allows
from projects.models import Project
from quickbooks.client import QuickBooksClient, QuickBooksError
from quickbooks.models import Membership, Role

from .models import Budget
from .sync import fetch_budget, ingest_budgets

NO_BUDGETS = (
    "This company's QuickBooks plan has no project budgets (they come with QuickBooks Online Advanced): there is no "
    "budget to track."
)


def offered(company) -> bool:
    return plan_allows(company, "budgets_api")


def budget_adopt(*, project: Project, budget_id: str, by: Membership, client: QuickBooksClient | None = None) -> Budget:
    """Start tracking the QuickBooks budget `budget_id` of `project`: read now, kept in step by every pull after.

    Raises ValidationError, in words, when the id names no live budget, or a budget of another project; nothing is
    kept then."""
    if not by.can(Role.ACCOUNTANT):
        raise PermissionDenied("Only accountants and admins add budgets.")
    if not offered(project.company):
        raise ValidationError(NO_BUDGETS)
    budget_id = budget_id.strip()
    if not budget_id.isdigit():
        raise ValidationError(
            f"“{budget_id[:40]}” is not a budget id: QuickBooks' budget ids are numbers, shown in the budget's address "
            "in QuickBooks (…/budgets/123)."
        )
    tracked = Budget.objects.filter(company=project.company, qbo_id=budget_id, deleted=False).first()
    if tracked is not None:
        raise ValidationError(f"Costline already tracks budget {budget_id} ({tracked}).")
    client = client or QuickBooksClient.for_company(project.company)
    try:
        document = fetch_budget(client, budget_id)
    except QuickBooksError as error:
        raise ValidationError(f"QuickBooks did not give budget {budget_id}: {error.user_message}") from error
    if document.get("deleted"):
        raise ValidationError(f"QuickBooks has no budget {budget_id}: it was deleted, or never made.")
    linked = str(document.get("linkedEntityId") or "")
    if linked != project.qbo_id:
        raise ValidationError(
            f"Budget {budget_id} ({document.get('budgetName') or 'no name'}) belongs to "
            f"{'another project' if linked else 'no project'} in QuickBooks, not to {project}. Nothing was added."
        )
    ingest_budgets(project.company, [document])
    return Budget.objects.get(company=project.company, qbo_id=budget_id)
