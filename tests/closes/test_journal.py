"""The journal entry a closed period calls for: each project's under billing, over billing and loss provision booked
in balancing pairs to the accounts the company chose once; shown on the close and exported."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import Budget
from closes import services
from closes.journal import journal
from closes.models import WipAccounts
from projects.models import Estimate, LedgerLine
from quickbooks.models import ReferenceRecord
from tests.closes.test_closes import PERIOD, detail_url, membership, stored_row
from tests.projects.test_project_page import booked, line

pytestmark = pytest.mark.django_db
D = Decimal
CHART = {
    "400": "Contract revenue",
    "130": "Underbillings",
    "230": "Overbillings",
    "510": "Loss expense",
    "240": "Loss reserve",
}


@pytest.fixture
def chart(company):
    for qbo_id, name in CHART.items():
        ReferenceRecord.objects.create(company=company, entity="Account", qbo_id=qbo_id, name=name)


def accounts_url(company):
    return reverse("closes:accounts", args=[company.pk])


def choose(client, company, **overrides):
    data = {
        "revenue_qbo_id": "400",
        "under_billing_qbo_id": "130",
        "over_billing_qbo_id": "230",
        "loss_expense_qbo_id": "",
        "loss_provision_qbo_id": "",
        **overrides,
    }
    return client.post(accounts_url(company), data)


def test_the_entry_books_each_project_s_under_and_over_billing_in_balancing_pairs(
    login, accountant, company, kitchen, books, chart
):
    # The attic: billed 900.00 against a budget of 1,000.00 with 700.00 spent: earned 70% of 1,000, over billed 200.
    Estimate.objects.create(
        company=company, qbo_id="a1", project_qbo_id="17", txn_date=date(2026, 1, 2), **booked("1000.00", "Accepted")
    )
    Budget.objects.create(company=company, qbo_id="b17", project_qbo_id="17", total=D("1000.00"), name="Attic")
    line(company, "900.00", project_qbo_id="17", kind=LedgerLine.Kind.REVENUE, txn_date=date(2026, 1, 20))
    close = services.wip_close(company, PERIOD, membership(accountant, company))
    client = login(accountant)
    assert choose(client, company).status_code == 302

    found = journal(close)

    under = stored_row(close, kitchen)["under_billing"]
    assert under > 0 and stored_row(close, books)["over_billing"] == D("200.00")
    assert [(line.account, line.debit, line.credit, line.project) for line in found.lines] == [
        ("Contract revenue", D("200.00"), D("0.00"), "Attic"),
        ("Overbillings", D("0.00"), D("200.00"), "Attic"),
        ("Underbillings", under, D("0.00"), "Kitchen Remodel"),
        ("Contract revenue", D("0.00"), under, "Kitchen Remodel"),
    ]
    assert found.debits == found.credits == under + D("200.00") and not found.missing
    page = client.get(detail_url(close)).content.decode()
    assert (
        "The journal entry for this period" in page and "Underbillings" in page and "reversed on 1 March 2026" in page
    )
    exported = b"".join(client.get(detail_url(close, journal="csv")).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows[-1]["Debit"] == rows[-1]["Credit"] == str(under + D("200.00"))


def test_without_accounts_the_amounts_show_and_the_missing_accounts_are_named(accountant, company, kitchen, books):
    close = services.wip_close(company, PERIOD, membership(accountant, company))

    found = journal(close)

    assert found.lines and found.missing == ["contract revenue", "costs and estimated earnings in excess of billings"]


def test_the_accounts_form_refuses_in_words(login, accountant, viewer, company, chart):
    client = login(accountant)

    same = choose(client, company, over_billing_qbo_id="130")
    half = choose(client, company, loss_expense_qbo_id="510")
    unknown = choose(client, company, revenue_qbo_id="999")

    assert same.status_code == half.status_code == unknown.status_code == 400
    assert "three different accounts" in same.content.decode()
    assert "both provision accounts, or neither" in half.content.decode()
    assert "one of the company&#x27;s accounts" in unknown.content.decode()
    assert not WipAccounts.objects.exists()
    assert login(viewer).get(accounts_url(company)).status_code == 403
