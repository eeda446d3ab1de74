"""Dashboard filters as the Projects API offers them, the search box, and what bad input does."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import LedgerLine
from tests.projects.test_dashboard import ledger, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(company):
    project(
        company,
        "1",
        "Kitchen Remodel",
        customer_qbo_id="58",
        customer_name="Okafor Residence",
        status="IN_PROGRESS",
        type="Remodel",
        priority=2,
        start_date=date(2026, 1, 10),
        due_date=date(2026, 6, 30),
    )
    project(
        company,
        "2",
        "Primary Bath",
        customer_qbo_id="58",
        customer_name="Okafor Residence",
        status="OPEN",
        type="Remodel",
        priority=5,
        start_date=date(2026, 3, 1),
        due_date=date(2026, 4, 15),
    )
    project(
        company,
        "3",
        "Warehouse Roof",
        customer_qbo_id="71",
        customer_name="Lindqvist Storage",
        status="BLOCKED",
        type="Repair",
        priority=2,
        start_date=date(2025, 11, 1),
        due_date=None,
    )
    project(
        company,
        "4",
        "Deck Extension",
        customer_qbo_id="72",
        customer_name="Patel Family",
        status="COMPLETE",
        type="New build",
        priority=None,
        start_date=None,
        due_date=date(2026, 2, 1),
    )
    ledger(company, "3", LedgerLine.Kind.COST, "700.00")
    ledger(company, "4", LedgerLine.Kind.COST, "300.00")


def listed(client, company, query=""):
    response = client.get(reverse("reports:dashboard", args=[company.pk]) + query)
    assert response.status_code == 200
    return response, [p.name for p in response.context["projects"]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?status=OPEN&status=IN_PROGRESS", ["Kitchen Remodel", "Primary Bath"]),
        ("?status=BLOCKED", ["Warehouse Roof"]),
        ("?customer=58", ["Kitchen Remodel", "Primary Bath"]),
        ("?type=Repair", ["Warehouse Roof"]),
        ("?priority=2", ["Kitchen Remodel", "Warehouse Roof"]),
        ("?start_from=2026-01-10&start_to=2026-03-01", ["Kitchen Remodel", "Primary Bath"]),  # both ends included
        ("?due_from=2026-04-15", ["Kitchen Remodel", "Primary Bath"]),
        ("?due_to=2026-02-01", ["Deck Extension"]),
        ("?customer=58&priority=5", ["Primary Bath"]),
    ],
    ids=["statuses", "status", "customer", "type", "priority", "start-range", "due-after", "due-before", "combined"],
)
def test_filters_narrow_the_list(login, viewer, company, projects, query, expected):
    response, names = listed(login(viewer), company, query)

    assert names == expected
    assert response.context["filter"].errors == {}


@pytest.mark.parametrize("text", ["bath", "OKAFOR", " storage "])
def test_search_finds_a_project_by_its_name_or_its_customers_any_case(login, viewer, company, projects, text):
    _, names = listed(login(viewer), company, f"?q={text}")

    expected = {
        "bath": ["Primary Bath"],
        "OKAFOR": ["Kitchen Remodel", "Primary Bath"],
        " storage ": ["Warehouse Roof"],
    }[text]
    assert names == expected


def test_filters_offer_only_this_companys_customers_and_types(login, viewer, company, other_company, projects):
    project(other_company, "9", "Their Job", customer_qbo_id="99", customer_name="Someone Else", type="Secret")

    form = listed(login(viewer), company)[0].context["filter"].form

    assert list(form.fields["customer"].choices)[1:] == [
        ("71", "Lindqvist Storage"),
        ("58", "Okafor Residence"),
        ("72", "Patel Family"),
    ]
    assert [value for value, _ in form.fields["type"].choices][1:] == ["New build", "Remodel", "Repair"]


def test_another_companys_customer_is_refused_not_applied(login, viewer, company, other_company, projects):
    project(other_company, "9", "Their Job", customer_qbo_id="99", customer_name="Someone Else")

    response, names = listed(login(viewer), company, "?customer=99")

    assert "customer" in response.context["filter"].errors
    assert len(names) == 4


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("?status=DONE", "status", "Select a valid choice. DONE is not one of the available choices."),
        ("?priority=12", "priority", "Select a valid choice. 12 is not one of the available choices."),
        ("?due_from=tomorrow", "due_from", "Enter a valid date."),
        (
            "?due_from=2026-05-01&due_to=2026-04-01",
            "due_to",
            "Due date: the end (01 Apr 2026) is before the start (01 May 2026).",
        ),
        (
            "?start_from=2026-05-01&start_to=2026-04-30",
            "start_to",
            "Start date: the end (30 Apr 2026) is before the start (01 May 2026).",
        ),
    ],
)
def test_bad_filter_input_shows_why_and_lists_every_project(login, viewer, company, projects, query, field, message):
    response, names = listed(login(viewer), company, query + "&type=Repair")

    assert response.context["filter"].errors[field] == [message]
    assert len(names) == 4  # no filter applied at all, not even the valid type=Repair
    html = response.content.decode()
    assert "These filters could not be applied, so every project is listed." in html
    assert message.replace("'", "&#x27;") in html


def test_totals_count_only_the_matching_projects(login, viewer, company, projects):
    totals = listed(login(viewer), company, "?status=BLOCKED&status=COMPLETE")[0].context["totals"]

    assert totals["count"] == 2
    assert totals["cost_to_date"] == Decimal("1000.00")
    assert totals["gross_margin"] == Decimal("-1000.00")


def test_no_match_says_so_and_offers_the_whole_list(login, viewer, company, projects):
    response, names = listed(login(viewer), company, "?q=nothing-like-this")

    assert names == []
    html = response.content.decode()
    assert "No project matches these filters." in html
    assert f'href="{reverse("reports:dashboard", args=[company.pk])}">Show every project' in html


def test_the_form_keeps_what_was_entered(login, viewer, company, projects):
    html = listed(login(viewer), company, "?q=bath&status=OPEN&due_from=2026-01-01")[0].content.decode()

    assert 'value="bath"' in html
    assert '<input type="checkbox" name="status" value="OPEN" id="id_status_0" checked>' in html
    assert 'value="IN_PROGRESS" id="id_status_1">' in html
    assert 'value="2026-01-01"' in html
