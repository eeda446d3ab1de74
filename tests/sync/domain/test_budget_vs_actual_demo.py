"""Budget vs actual on the demo company: every cost and open purchase order charged to the budgeted project lands on
one budget line or the unbudgeted row, once, so the columns add up to the project's own figures to the cent."""

from decimal import Decimal as D

import pytest

from budgets.models import Budget, BudgetLine
from budgets.sync import ingest_budgets
from projects.models import LedgerLine, Project
from reports.budget_vs_actual import compare

Kind = LedgerLine.Kind


@pytest.mark.django_db(databases=["default", "sandbox"])
def test_on_the_demo_every_cost_and_commitment_lands_on_a_line_or_unbudgeted_once(synced, budget_documents):
    ingest_budgets(synced, budget_documents)
    budgeted = Project.objects.get(company=synced, qbo_id=Budget.objects.get(company=synced).project_qbo_id)
    comparison = compare(budgeted)

    assert len(comparison.rows) == BudgetLine.objects.filter(budget__company=synced).count() > 0
    figures = Project.objects.filter(pk=budgeted.pk).with_actuals().get()
    assert comparison.totals.actual == figures.cost_to_date
    commitments = LedgerLine.objects.filter(project=budgeted, kind=Kind.COMMITMENT).values_list("amount", flat=True)
    assert comparison.totals.committed == sum(commitments, D("0.00"))
    assert comparison.totals.budget == Budget.objects.get(company=synced).total
