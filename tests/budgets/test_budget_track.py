"""Tracking a budget by id: the Budgets API cannot list them, so Costline is told which ones to follow."""

import io

import pytest
from django.core.management import CommandError, call_command

from budgets.models import Budget
from tests.live_quickbooks import connect_through_consent

pytestmark = pytest.mark.django_db


def test_tracking_the_demo_budget_brings_its_lines(qbo, login, admin_user, company):
    connect_through_consent(login(admin_user), "9341453050071010", company)

    call_command("budget_track", company.name, "100000001", stdout=io.StringIO())

    budget = Budget.objects.get(company=company, qbo_id="100000001")
    assert budget.lines.count() > 0
    assert budget.total == sum(line.amount for line in budget.lines.all())


def test_an_unknown_budget_id_is_explained(qbo, connected_company):
    with pytest.raises(CommandError):
        call_command("budget_track", connected_company.name, "999999999", stdout=io.StringIO())
    assert not Budget.objects.exists()


def test_a_company_that_is_not_connected_is_refused(company):
    with pytest.raises(CommandError, match="No connected company"):
        call_command("budget_track", company.name, "100000001", stdout=io.StringIO())
