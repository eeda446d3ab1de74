"""Budget vs actual by budget line: the matching rule on hand-made books, the page and its export, and on the demo
company the actual and committed columns, summed, equal the project's cost to date and commitments to the cent."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from budgets.models import Budget, BudgetLine
from changeorders.models import ChangeOrderLine
from projects.models import LedgerLine, Project, TxnStatus
from reports.budget_vs_actual import compare
from tests.projects.test_project_page import change_order, estimate, line, make_kitchen

Kind = LedgerLine.Kind


@pytest.fixture
def kitchen(company):
    return make_kitchen(company)


@pytest.fixture
def books(company, kitchen):
    """Budget: cabinets 4,000 (any class), cabinets in class "Upgrades" 1,000, materials account 2,000 at location
    "North"; then costs, an open purchase order and a signed change order's cost to match."""
    budget = Budget.objects.create(company=company, qbo_id="b1", project_qbo_id="16", project=kitchen, name="Kitchen")
    lines = [
        ("1", "ITEM", {"item_qbo_id": "cab"}, "4000.00"),
        ("2", "ITEM", {"item_qbo_id": "cab", "class_qbo_id": "up"}, "1000.00"),
        ("3", "ACCOUNT", {"account_qbo_id": "60", "location_qbo_id": "north"}, "2000.00"),
    ]
    for sequence, kind, keys, amount in lines:
        BudgetLine.objects.create(budget=budget, sequence_id=sequence, line_type=kind, amount=D(amount), **keys)
    line(company, "1500.00", item_qbo_id="cab")  # -> line 1
    line(company, "700.00", item_qbo_id="cab", class_qbo_id="up")  # -> line 2, the more specific
    line(company, "300.00", item_qbo_id="cab", class_qbo_id="other")  # -> line 1 (line 2 wants "up")
    line(company, "800.00", item_qbo_id="lumber", account_qbo_id="60", department_qbo_id="north")  # -> line 3
    line(company, "250.00", item_qbo_id="lumber", account_qbo_id="60", department_qbo_id="south")  # unbudgeted
    line(company, "90.00", account_qbo_id="70")  # unbudgeted
    line(company, "600.00", txn_type="PurchaseOrder", kind=Kind.COMMITMENT, item_qbo_id="cab")  # committed, line 1
    line(company, "5000.00", txn_type="Invoice", kind=Kind.REVENUE, item_qbo_id="cab")  # revenue: not in it
    parent = estimate(company, "9000.00", status=TxnStatus.ACCEPTED, project=kitchen)
    signed = change_order(company, parent, "1200.00", TxnStatus.ACCEPTED, "c1", project=kitchen)
    ChangeOrderLine.objects.create(change_order=signed, item_qbo_id="cab", amount=D("1200.00"), cost_amount=D("900.00"))
    pending = change_order(company, parent, "400.00", TxnStatus.PENDING, "c2", project=kitchen)
    ChangeOrderLine.objects.create(change_order=pending, item_qbo_id="cab", amount=D("400.00"), cost_amount=D("300.00"))
    return budget


@pytest.mark.django_db
def test_each_cost_goes_to_the_budget_line_the_rule_names(kitchen, books):
    comparison = compare(kitchen)
    by_sequence = {row.line.sequence_id: row for row in comparison.rows}

    assert [(r.budget, r.change_orders, r.actual, r.committed) for r in by_sequence.values()] == [
        (D("4000.00"), D("900.00"), D("1800.00"), D("600.00")),
        (D("1000.00"), D("0.00"), D("700.00"), D("0.00")),
        (D("2000.00"), D("0.00"), D("800.00"), D("0.00")),
    ]
    assert comparison.unbudgeted.actual == D("340.00")
    first = by_sequence["1"]
    assert (first.revised, first.remaining, first.variance, first.used) == (
        D("4900.00"),
        D("2500.00"),
        D("3100.00"),
        D("1800.00") / D("4900.00"),
    )
    totals = comparison.totals
    cost = Project.objects.filter(pk=kitchen.pk).with_actuals().get().cost_to_date
    assert totals.actual == cost == D("3640.00")  # every cost lands somewhere, once
    assert totals.committed == D("600.00") and totals.change_orders == D("900.00")


@pytest.mark.django_db
def test_an_over_budget_line_is_flagged(company, kitchen, books):
    line(company, "400.00", item_qbo_id="cab", class_qbo_id="up")  # line 2: 1,100.00 of 1,000.00
    row = next(r for r in compare(kitchen).rows if r.line.sequence_id == "2")
    assert row.over_budget and row.variance == D("-100.00")


@pytest.mark.django_db
def test_the_page_states_the_rule_exports_and_keeps_its_queries_constant(
    login, viewer, company, kitchen, books, django_assert_max_num_queries
):
    client = login(viewer)
    url = reverse("reports:project-budget", args=[company.pk, kitchen.pk])
    page = client.get(url)
    text = page.content.decode()
    assert (
        page.status_code == 200
        and "goes to the budget line of the same item" in text
        and 'state-failed">over budget' not in text
    )
    assert "<svg" in text and "Unbudgeted" in text
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(15):
        BudgetLine.objects.create(budget=books, sequence_id=f"x{n}", item_qbo_id=f"i{n}", amount=D("10.00"))
        line(company, "5.00", item_qbo_id=f"i{n}", account_qbo_id=f"a{n}")
    with django_assert_max_num_queries(len(few)):
        client.get(url)

    csv = b"".join(client.get(url + "?export=csv").streaming_content).decode().splitlines()
    assert csv[0].startswith("Budget line,Class, location,Budget") or csv[0].startswith('Budget line,"Class, location"')
    assert csv[-1].startswith("Total,")
    assert client.get(url + "?export=xlsx").content[:2] == b"PK"


@pytest.mark.django_db
def test_another_companys_project_is_not_found(login, outsider, company, kitchen):
    assert login(outsider).get(reverse("reports:project-budget", args=[company.pk, kitchen.pk])).status_code == 404
