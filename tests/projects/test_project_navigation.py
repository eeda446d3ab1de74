"""Getting around: dashboard rows open the project; the project lists its estimates, drafts included."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Estimate, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def kitchen(company):
    return Project.objects.create(company=company, qbo_id="16", name="Kitchen Remodel", customer_name="Okafor")


def test_dashboard_rows_open_the_project_page(login, viewer, company, kitchen):
    html = login(viewer).get(reverse("reports:dashboard", args=[company.pk])).content.decode()

    assert reverse("reports:project-detail", args=[company.pk, kitchen.pk]) in html


def test_a_draft_is_listed_on_its_project_but_not_counted_in_the_contract(login, viewer, company, kitchen):
    sent = Estimate.objects.create(
        company=company,
        project=kitchen,
        project_qbo_id="16",
        qbo_id="90",
        total_amount=Decimal("1000.00"),
        status="Accepted",
        booked_status="Accepted",
        booked_subtotal=Decimal("1000.00"),
    )
    draft = Estimate.objects.create(company=company, project=kitchen, total_amount=Decimal("500.00"))

    response = login(viewer).get(reverse("reports:project-detail", args=[company.pk, kitchen.pk]))

    html = response.content.decode()
    assert reverse("projects:estimate-detail", args=[company.pk, kitchen.pk, draft.pk]) in html
    assert reverse("projects:estimate-detail", args=[company.pk, kitchen.pk, sent.pk]) in html
    assert "Draft" in html
    assert response.context["contract"].value == Decimal("1000.00")


@pytest.mark.parametrize(("persona", "offered"), [("viewer", False), ("project_manager", True), ("accountant", True)])
def test_new_estimate_is_offered_to_those_who_may_write_one(request, login, company, kitchen, persona, offered):
    html = login(request.getfixturevalue(persona)).get(reverse("reports:project-detail", args=[company.pk, kitchen.pk]))

    assert (reverse("projects:estimate-new", args=[company.pk, kitchen.pk]) in html.content.decode()) is offered


def test_every_writable_model_is_registered_with_the_outbox():
    from projects.models import Estimate, Project, RetagRequest
    from quickbooks.sync import registry

    for model in (Estimate, Project, RetagRequest):
        assert registry.pushed_for_model(model).model is model
