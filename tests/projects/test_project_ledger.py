"""The project page's ledger: filters by type, account, class and dates, their totals, pages of 100, bad input
answered with a message, and each line linking to its document in QuickBooks."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from projects.models import LedgerLine
from quickbooks.links import txn_url as qbo_txn_url
from tests.projects.test_project_page import line, make_kitchen, page_url

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def kitchen(company):
    return make_kitchen(company)


@pytest.fixture
def lines(company, kitchen):
    """Two bills (materials/Framing class, subs/Framing), a purchase (materials/Finish), time, an invoice."""
    return [
        line(
            company,
            "100.00",
            txn_type="Bill",
            account_qbo_id="50",
            account_name="Job Materials",
            class_qbo_id="1",
            class_name="Framing",
            txn_date=date(2026, 1, 10),
            doc_number="B-1",
        ),
        line(
            company,
            "250.00",
            txn_type="Bill",
            account_qbo_id="51",
            account_name="Subcontractors",
            class_qbo_id="1",
            class_name="Framing",
            txn_date=date(2026, 2, 10),
        ),
        line(
            company,
            "40.50",
            txn_type="Purchase",
            account_qbo_id="50",
            account_name="Job Materials",
            class_qbo_id="2",
            class_name="Finish",
            txn_date=date(2026, 3, 10),
        ),
        line(
            company,
            "300.00",
            txn_type="TimeActivity",
            class_qbo_id="2",
            class_name="Finish",
            hours=D("6"),
            txn_date=date(2026, 3, 20),
        ),
        line(
            company,
            "1000.00",
            txn_type="Invoice",
            kind=LedgerLine.Kind.REVENUE,
            account_qbo_id="40",
            account_name="Construction Income",
            txn_date=date(2026, 3, 31),
        ),
    ]


def get(client, company, project, **params):
    return client.get(page_url(company, project), params)


def amounts(response):
    return sorted(line.amount for line in response.context["ledger_page"])


def test_the_ledger_lists_every_line_of_the_project_with_totals(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen)

    assert amounts(response) == [D("40.50"), D("100.00"), D("250.00"), D("300.00"), D("1000.00")]
    totals = response.context["ledger_totals"]
    assert (totals.cost, totals.revenue, totals.hours) == (D("690.50"), D("1000.00"), D("6"))
    assert "5 lines" in response.content.decode()


def test_filter_by_type_keeps_that_type_and_totals_it(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, type="Bill")

    assert amounts(response) == [D("100.00"), D("250.00")]
    assert response.context["ledger_totals"].cost == D("350.00")
    assert response.context["ledger_totals"].revenue == D("0.00")
    assert "2 lines matching the filters" in response.content.decode()


def test_a_query_parameter_that_filters_nothing_does_not_say_the_lines_are_filtered(
    login, viewer, company, kitchen, lines
):
    response = get(login(viewer), company, kitchen, type="", utm_source="newsletter")

    assert len(amounts(response)) == 5
    assert response.context["ledger_totals"].cost == D("690.50")
    assert "5 lines: revenue" in response.content.decode() and "matching the filters" not in response.content.decode()


def test_filter_by_account(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, account="50")

    assert amounts(response) == [D("40.50"), D("100.00")]
    assert response.context["ledger_totals"].cost == D("140.50")


def test_filter_by_class(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, **{"class": "2"})

    assert amounts(response) == [D("40.50"), D("300.00")]
    assert response.context["ledger_totals"].labour == D("300.00")


def test_filter_by_date_range_includes_both_ends(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, **{"from": "2026-02-10", "to": "2026-03-20"})

    assert amounts(response) == [D("40.50"), D("250.00"), D("300.00")]
    assert response.context["ledger_totals"].cost == D("590.50")


def test_filters_combine(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, account="50", **{"class": "1", "to": "2026-12-31"})

    assert amounts(response) == [D("100.00")]


def test_the_filter_choices_are_the_projects_own_types_accounts_and_classes(login, viewer, company, kitchen, lines):
    form = get(login(viewer), company, kitchen).context["filter_form"]

    assert [value for value, _ in form.fields["type"].choices] == ["", "Bill", "Invoice", "Purchase", "TimeActivity"]
    assert form.fields["account"].choices == [
        ("", "All"),
        ("40", "Construction Income"),
        ("50", "Job Materials"),
        ("51", "Subcontractors"),
    ]
    assert form.fields["class"].choices == [("", "All"), ("2", "Finish"), ("1", "Framing")]


def test_a_bad_date_is_answered_with_a_message_and_the_ledger_unfiltered(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, type="Bill", **{"from": "2026-13-45"})

    assert response.status_code == 200
    assert response.context["filter_form"].errors["from"] == ["Enter a date as YYYY-MM-DD, for example 2026-03-31."]
    assert len(amounts(response)) == 5
    assert "The filters were not applied" in response.content.decode()


def test_a_start_after_the_end_is_refused_in_words(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, **{"from": "2026-04-01", "to": "2026-01-01"})

    assert response.status_code == 200
    assert "The start date (2026-04-01) is after the end date (2026-01-01)." in response.content.decode()
    assert len(amounts(response)) == 5


def test_an_unknown_type_is_a_form_error_not_a_crash(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, type="'; DROP TABLE", account="nope")

    assert response.status_code == 200
    assert set(response.context["filter_form"].errors) == {"type", "account"}


def test_a_filter_matching_nothing_says_so(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, type="Bill", **{"from": "2030-01-01"})

    assert amounts(response) == [] and "No line matches these filters." in response.content.decode()


@pytest.fixture
def long_ledger(company, kitchen):
    LedgerLine.objects.bulk_create(
        LedgerLine(
            company=company,
            project_qbo_id="16",
            tagged_by="project_ref",
            txn_type="Bill" if n % 2 else "Purchase",
            txn_qbo_id=str(n),
            line_id="1",
            kind="cost",
            amount=D("1.25"),
            txn_date=date(2026, 1, 1 + n % 28),
        )
        for n in range(250)
    )


def test_the_ledger_pages_by_100_and_totals_every_matching_line(login, viewer, company, kitchen, long_ledger):
    client = login(viewer)
    first = get(client, company, kitchen)
    last = get(client, company, kitchen, page="3")

    assert len(first.context["ledger_page"]) == 100 and len(last.context["ledger_page"]) == 50
    assert first.context["ledger_totals"].cost == D("312.50")  # all 250 lines, not the page's 100
    assert "Page 1 of 3" in first.content.decode()


def test_page_links_keep_the_filters(login, viewer, company, kitchen, long_ledger):
    response = get(login(viewer), company, kitchen, type="Bill")

    assert response.context["ledger_page"].paginator.count == 125
    assert response.context["ledger_totals"].cost == D("156.25")
    assert "?type=Bill&amp;page=2#ledger" in response.content.decode()


def test_a_page_number_out_of_range_or_not_a_number_still_shows_a_page(login, viewer, company, kitchen, long_ledger):
    client = login(viewer)

    assert get(client, company, kitchen, page="abc").context["ledger_page"].number == 1
    assert get(client, company, kitchen, page="99").context["ledger_page"].number == 3


def test_each_line_links_to_its_document_in_quickbooks(login, viewer, company, kitchen, lines, settings):
    settings.QBO_APP_URL = "https://app.qbo.intuit.com/app"  # Intuit's (the sandbox's own pages are its default)
    html = get(login(viewer), company, kitchen).content.decode()

    bill = lines[0]
    assert f'href="https://app.qbo.intuit.com/app/bill?txnId={bill.txn_qbo_id}"' in html
    assert f"https://app.qbo.intuit.com/app/timeactivity?txnId={lines[3].txn_qbo_id}" in html


def test_the_quickbooks_link_base_can_be_changed_in_one_place(settings):
    settings.QBO_APP_URL = "https://app.sandbox.qbo.intuit.com/app/"

    assert qbo_txn_url("Invoice", "130") == "https://app.sandbox.qbo.intuit.com/app/invoice?txnId=130"


def test_the_filtered_ledger_exports_as_csv_with_quickbooks_links(login, viewer, company, kitchen, lines, settings):
    settings.QBO_APP_URL = "https://app.qbo.intuit.com/app"
    response = get(login(viewer), company, kitchen, type="Bill", export="csv")

    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="kitchen-remodel-ledger-{today}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Date" and rows[0][15] == "Amount" and rows[0][-1] == "QuickBooks link"
    assert [(r[1], r[15]) for r in rows[1:]] == [("Bill", "100.00"), ("Bill", "250.00")]
    assert rows[1][-1] == f"https://app.qbo.intuit.com/app/bill?txnId={lines[0].txn_qbo_id}"


def test_the_ledger_exports_as_xlsx_with_money_as_numbers(login, viewer, company, kitchen, lines):
    response = get(login(viewer), company, kitchen, type="Bill", export="xlsx")

    sheet = load_workbook(io.BytesIO(response.content))["Ledger"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [(row[1], Decimal(str(row[15]))) for row in values[1:]] == [("Bill", D("100.00")), ("Bill", D("250.00"))]
    assert sheet.cell(2, 16).number_format == "#,##0.00"


def test_a_quickbooks_description_that_looks_like_a_formula_is_exported_as_text(login, viewer, company, kitchen, lines):
    formula = '=HYPERLINK("http://evil.example/x","click")'
    LedgerLine.objects.filter(pk=lines[0].pk).update(description=formula, account_name="@SUM(1+1)")
    client = login(viewer)

    response = get(client, company, kitchen, export="csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    first = next(row for row in rows if row[3] == lines[0].txn_qbo_id)
    assert (first[11], first[7]) == ("'" + formula, "'@SUM(1+1)")

    sheet = load_workbook(io.BytesIO(get(client, company, kitchen, export="xlsx").content))["Ledger"]
    cells = [row[11] for row in sheet.iter_rows(min_row=2) if row[3].value == lines[0].txn_qbo_id]
    assert cells[0].value == formula and cells[0].data_type == "s"


def test_the_export_link_carries_the_filters(login, viewer, company, kitchen, lines):
    html = get(login(viewer), company, kitchen, account="50").content.decode()

    assert "?account=50&amp;export=csv" in html and "?account=50&amp;export=xlsx" in html
