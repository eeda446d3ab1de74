"""CSV and XLSX exports of the dashboard: the filtered, sorted list, every row, exact money, then the totals."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from budgets.models import Budget
from projects.models import Estimate, LedgerLine
from tests.projects.test_dashboard import ledger, project, sales

pytestmark = pytest.mark.django_db

HEADERS = [
    "Project",
    "Customer",
    "Status",
    "Contract value",
    "Cost to date",
    "Billed to date",
    "Billed margin",
    "Billed margin %",
    "% complete",
    "Due date",
]


@pytest.fixture
def jobs(company):
    project(
        company, "1", "Kitchen Remodel", status="IN_PROGRESS", completion_rate=Decimal("40"), due_date=date(2026, 6, 30)
    )
    sales(Estimate, company, "1", "48000.00")
    ledger(company, "1", LedgerLine.Kind.COST, "11800.10")
    Budget.objects.create(company=company, qbo_id="b1", project_qbo_id="1", total=Decimal("29500.25"))  # 40% spent
    ledger(company, "1", LedgerLine.Kind.REVENUE, "19000.00")
    project(company, "2", "Primary Bath", customer_name="Patel Family", status="OPEN")
    sales(Estimate, company, "2", "12000.05")
    ledger(company, "2", LedgerLine.Kind.COST, "0.10")
    ledger(company, "2", LedgerLine.Kind.COST, "0.20")  # 0.1 + 0.2 must stay 0.30, as it never would in float
    project(company, "3", "Old Shed", status="COMPLETE")
    ledger(company, "3", LedgerLine.Kind.COST, "5.00")


def csv_rows(client, company, query=""):
    response = client.get(reverse("reports:dashboard-csv", args=[company.pk]) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response, list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def xlsx_of(client, company, query=""):
    response = client.get(reverse("reports:dashboard-xlsx", args=[company.pk]) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response, load_workbook(io.BytesIO(response.content))["Projects"]


def test_csv_lists_the_filtered_sorted_projects_with_exact_money_and_totals(login, viewer, company, jobs):
    _, rows = csv_rows(login(viewer), company, "?status=IN_PROGRESS&status=OPEN&sort=-contract_value")

    assert rows == [
        HEADERS,
        [
            "Kitchen Remodel",
            "Okafor Residence",
            "In progress",
            "48000.00",
            "11800.10",
            "19000.00",
            "7199.90",
            "37.9%",
            "40.0%",
            "2026-06-30",
        ],
        ["Primary Bath", "Patel Family", "Open", "12000.05", "0.30", "0.00", "-0.30", "", "", ""],
        ["Total, 2 projects", "", "", "60000.05", "11800.40", "19000.00", "7199.60", "37.9%", "", ""],
    ]


def test_exports_hold_every_matching_row_not_just_one_page(login, viewer, company):
    for n in range(55):
        project(company, str(100 + n), f"Project {n:02d}")
    client = login(viewer)

    _, rows = csv_rows(client, company, "?page=2")
    _, sheet = xlsx_of(client, company, "?page=2")

    assert len(rows) == 1 + 55 + 1 and rows[-1][0] == "Total, 55 projects"
    assert sheet.max_row == 1 + 55 + 1 and sheet.cell(57, 1).value == "Total, 55 projects"


def test_xlsx_keeps_money_as_exact_numbers_with_a_money_format(login, viewer, company, jobs):
    response, sheet = xlsx_of(login(viewer), company, "?sort=name")

    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADERS
    assert [row[0] for row in values[1:]] == ["Kitchen Remodel", "Old Shed", "Primary Bath", "Total, 3 projects"]
    bath, totals = values[3], values[4]
    money = [Decimal(str(value)) for value in bath[3:7]]
    assert money == [Decimal("12000.05"), Decimal("0.30"), Decimal("0.00"), Decimal("-0.30")]
    assert [Decimal(str(value)) for value in totals[3:7]] == [
        Decimal("60000.05"),
        Decimal("11805.40"),
        Decimal("19000.00"),
        Decimal("7194.60"),
    ]
    assert values[1][9].date() == date(2026, 6, 30)  # a real date cell
    assert all(sheet.cell(row, col).number_format == "#,##0.00" for row in (2, 3, 4, 5) for col in (4, 5, 6, 7))
    assert sheet.cell(5, 1).font.b and not sheet.cell(4, 1).font.b
    # Percentages are real percentages: 37.9% is 0.379 shown as 37.9%, 40% complete is 0.4.
    kitchen = values[1]
    assert (Decimal(str(kitchen[7])), Decimal(str(kitchen[8]))) == (Decimal("0.379"), Decimal("0.4"))
    assert values[2][8] is None, "Old Shed has no budget: no % complete"

    assert sheet.cell(2, 8).number_format == "0.0%" and sheet.cell(2, 9).number_format == "0.0%"
    # What the file holds: the Decimal's digits (openpyxl drops trailing zeros), never 0.30000000000000004.
    sheet_xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>0.3</v>" in sheet_xml and "<v>-0.3</v>" in sheet_xml and "<v>11805.4</v>" in sheet_xml


def test_exports_are_named_after_the_company_and_the_day(login, viewer, company, jobs):
    client = login(viewer)
    today = timezone.localdate().isoformat()

    csv_response, _ = csv_rows(client, company)
    xlsx_response, _ = xlsx_of(client, company)

    assert csv_response["Content-Disposition"] == f'attachment; filename="harbor-build-co-projects-{today}.csv"'
    assert xlsx_response["Content-Disposition"] == f'attachment; filename="harbor-build-co-projects-{today}.xlsx"'


def test_a_name_that_looks_like_a_formula_is_exported_as_text(login, viewer, company):
    project(company, "1", '=HYPERLINK("http://evil.example","Click")', customer_name="+1 Builders")
    client = login(viewer)

    _, rows = csv_rows(client, company)
    _, sheet = xlsx_of(client, company)

    assert rows[1][:2] == ['\'=HYPERLINK("http://evil.example","Click")', "'+1 Builders"]
    assert sheet.cell(2, 1).data_type == "s"
    assert sheet.cell(2, 1).value == '=HYPERLINK("http://evil.example","Click")'


def test_bad_filters_export_every_project_as_the_page_lists_them(login, viewer, company, jobs):
    _, rows = csv_rows(login(viewer), company, "?status=DONE")

    assert [row[0] for row in rows[1:]] == ["Kitchen Remodel", "Old Shed", "Primary Bath", "Total, 3 projects"]


def test_an_empty_export_still_has_headers_and_a_zero_total(login, viewer, company):
    _, rows = csv_rows(login(viewer), company)

    assert rows == [HEADERS, ["Total, 0 projects", "", "", "0.00", "0.00", "0.00", "0.00", "", "", ""]]


def test_a_job_not_started_is_zero_percent_complete_and_one_past_its_budget_is_flagged(login, viewer, company):
    project(company, "7", "Not Started")
    Budget.objects.create(company=company, qbo_id="b7", project_qbo_id="7", total=Decimal("1000.00"))
    project(company, "8", "Overrun")
    Budget.objects.create(company=company, qbo_id="b8", project_qbo_id="8", total=Decimal("1000.00"))
    ledger(company, "8", LedgerLine.Kind.COST, "1000.01")

    _, rows = csv_rows(login(viewer), company, "?sort=name")

    assert [(row[0], row[8]) for row in rows[1:3]] == [
        ("Not Started", "0.0%"),
        ("Overrun", "over budget: forecast needed"),
    ]


def test_the_page_and_the_csv_round_a_percentage_on_the_half_the_same_way(login, viewer, company):
    """12.25% is 12.3% on the page and in the file (half up, as every figure), never 12.2% in one of them."""
    project(company, "9", "Half Way")
    Budget.objects.create(company=company, qbo_id="b9", project_qbo_id="9", total=Decimal("1000.00"))
    ledger(company, "9", LedgerLine.Kind.COST, "122.50")  # 12.25% of the budget
    ledger(company, "9", LedgerLine.Kind.REVENUE, "1000.00")
    ledger(company, "9", LedgerLine.Kind.COST, "755.00")  # billed margin 1000 - 877.50 = 122.50: 12.25% of billed
    client = login(viewer)

    _, rows = csv_rows(client, company)
    html = client.get(reverse("reports:dashboard", args=[company.pk])).content.decode()

    assert (rows[1][7], rows[1][8]) == ("12.3%", "87.8%")
    assert "12.3%" in html and "87.8%" in html and "12.2%" not in html
