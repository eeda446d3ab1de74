"""No stored value breaks a page: every amount at the column's largest and smallest, text that is long, unbroken,
markup or a spreadsheet formula, and every page and export that reads them still answers."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, models
from django.urls import reverse

from budgets.models import Budget, BudgetLine
from changeorders.models import ChangeOrder, ChangeOrderLine
from projects.models import Estimate, EstimateLine, LedgerLine, Project, TxnStatus

pytestmark = pytest.mark.django_db

NASTY = (
    '=HYPERLINK("http://evil.example/x","click") <script>alert(1)</script> &amp; \u202etxet ' + "W" * 5000 + " ١٢٣ 🏗️"
)
IDS = {"qbo_id", "sync_token", "line_id", "sequence_id", "order", "line_type", "budget_type", "tax_code", "detail_type"}


def extreme(sign: int, model, **fixed) -> dict:
    """Every number at its largest (times `sign`), every free text NASTY cut to its column.

    The largest is ten digits before the point, all the column's places after it: what Costline writes at most
    (quickbooks.models.fields.MONEY_MAX). Past that, SQLite, which keeps decimals as floats, cannot give every value
    back exactly; PostgreSQL holds the whole column.
    """
    values = {}
    for field in model._meta.concrete_fields:
        if field.name in fixed or field.primary_key or field.is_relation or field.choices:
            continue
        if isinstance(field, models.DecimalField):
            whole = min(field.max_digits - field.decimal_places, 10)
            values[field.name] = sign * Decimal("9" * whole + "." + "9" * field.decimal_places)
        elif isinstance(field, models.CharField | models.TextField) and not (
            field.name in IDS or field.name.endswith("qbo_id")
        ):
            values[field.name] = NASTY[: field.max_length]
    return {**values, **fixed}


def _documents(company, project, sign: int, number: str) -> None:
    common = {"company": company, "project": project, "project_qbo_id": project.qbo_id, "status": TxnStatus.ACCEPTED}
    estimate = Estimate.objects.create(**extreme(sign, Estimate, qbo_id=f"5{number}", **common))
    EstimateLine.objects.create(**extreme(sign, EstimateLine, estimate=estimate, line_id=number))
    change_order = ChangeOrder.objects.create(
        **extreme(sign, ChangeOrder, qbo_id=f"6{number}", estimate=estimate, estimate_qbo_id=estimate.qbo_id, **common)
    )
    ChangeOrderLine.objects.create(**extreme(sign, ChangeOrderLine, change_order=change_order, line_id=number))
    for kind in LedgerLine.Kind.values:
        fixed = {"company": company, "project": project, "project_qbo_id": project.qbo_id, "txn_type": "Bill"}
        LedgerLine.objects.create(
            **extreme(
                sign,
                LedgerLine,
                **fixed,
                tagged_by="project_ref",
                txn_qbo_id=f"{kind}{number}",
                line_id="1",
                kind=kind,
                txn_date=date(2026, 5, 1),
            )
        )
    budget = Budget.objects.create(
        **extreme(sign, Budget, company=company, qbo_id=f"7{number}", project=project, project_qbo_id=project.qbo_id)
    )
    BudgetLine.objects.create(**extreme(sign, BudgetLine, budget=budget, sequence_id=number))


@pytest.fixture
def stored(company):
    """Two projects: one with every figure at its largest, twice over (sums past one column), one at its smallest."""
    largest = Project.objects.create(**extreme(1, Project, company=company, qbo_id="16", customer_qbo_id="7"))
    smallest = Project.objects.create(**extreme(-1, Project, company=company, qbo_id="17", customer_qbo_id="7"))
    _documents(company, largest, 1, "1")
    _documents(company, largest, 1, "2")
    _documents(company, smallest, -1, "3")
    return largest


def test_every_page_and_export_reads_the_extremes(login, admin_user, company, stored):
    client = login(admin_user)
    estimate = Estimate.objects.get(qbo_id="51")
    pages = [
        reverse("reports:dashboard", args=[company.pk]),
        reverse("reports:dashboard", args=[company.pk]) + "?sort=-margin",
        reverse("reports:dashboard-csv", args=[company.pk]),
        reverse("reports:dashboard-xlsx", args=[company.pk]),
        reverse("reports:project-detail", args=[company.pk, stored.pk]),
        reverse("reports:project-detail", args=[company.pk, stored.pk]) + "?export=csv",
        reverse("projects:estimate-detail", args=[company.pk, stored.pk, estimate.pk]),
        reverse("projects:estimate-edit", args=[company.pk, stored.pk, estimate.pk]),
        reverse("projects:project-edit", args=[company.pk, stored.pk]),
        reverse("projects:health", args=[company.pk]),
        reverse("quickbooks:sync-status", args=[company.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if response["Content-Type"].startswith("text/html"):
            assert b"<script>alert(1)</script>" not in response.content, url


@pytest.mark.parametrize(
    "admin_page",
    ["projects_estimate", "projects_project", "projects_ledgerline", "changeorders_changeorder", "budgets_budget"],
)
def test_the_admin_reads_the_extremes(client, company, stored, admin_page, django_user_model):
    staff = django_user_model.objects.create_superuser(email="ops@example.com", password="x-Very-long-pass-1")
    client.force_login(staff)
    response = client.get(reverse(f"admin:{admin_page}_changelist"))
    assert response.status_code == 200
    first = response.context["cl"].result_list[0]
    assert client.get(reverse(f"admin:{admin_page}_change", args=[first.pk])).status_code == 200


def test_figures_sum_past_what_one_column_holds(login, viewer, company):
    """A thousand bills at the largest amount come to more than one amount's column holds (13 digits): the
    project's figures are sums, sized for totals."""
    project = Project.objects.create(company=company, qbo_id="16", name="Tower", customer_qbo_id="7")
    largest = Decimal("9999999999.99")
    LedgerLine.objects.bulk_create(
        LedgerLine(
            company=company,
            project=project,
            project_qbo_id="16",
            tagged_by="project_ref",
            txn_type="Bill",
            txn_qbo_id=str(n),
            line_id="1",
            kind=LedgerLine.Kind.COST,
            amount=largest,
            txn_date=date(2026, 5, 1),
        )
        for n in range(1001)
    )
    client = login(viewer)
    response = client.get(reverse("reports:project-detail", args=[company.pk, project.pk]))
    assert response.status_code == 200
    cost = response.context["actuals"].cost
    if connection.vendor == "postgresql":
        assert cost == largest * 1001
    else:  # SQLite sums decimals as floats and Django reads 15 significant digits back: cents go past 10^13
        assert abs(cost - largest * 1001) < 1
    dashboard = client.get(reverse("reports:dashboard", args=[company.pk]))
    assert dashboard.status_code == 200
