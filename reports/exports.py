"""The dashboard as CSV and XLSX: the same columns as the page, every matching row, then the totals.

Money stays Decimal from the database to the file: CSV writes its exact text, openpyxl stores it as a number.
"""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from quickbooks.sync.documents import CENT

from .dashboard import COLUMNS

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0"
DATE_FORMAT = "yyyy-mm-dd"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # text a spreadsheet would run as a formula
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "contract_value": MONEY_FORMAT,
    "cost": MONEY_FORMAT,
    "billed": MONEY_FORMAT,
    "margin": MONEY_FORMAT,
    "margin_percent": PERCENT_FORMAT,
    "complete": PERCENT_FORMAT,
    "due": DATE_FORMAT,
}
HEADERS = [column.label for column in COLUMNS]


def margin_percent(margin: Decimal, billed: Decimal) -> Decimal | None:
    """Gross margin as a percentage of billed to date, to one place as the page shows it; none without billing."""
    if not billed:
        return None
    return (margin / billed * 100).quantize(Decimal("0.1"))


def cents(amount: Decimal) -> Decimal:
    """The amount written with its two places (SQLite hands back 12000 for 12000.00); exact, never rounded."""
    return Decimal(amount).quantize(CENT)


def project_row(project) -> list:
    return [
        project.name,
        project.customer_name,
        project.get_status_display(),
        cents(project.contract_value),
        cents(project.cost_to_date),
        cents(project.billed_to_date),
        cents(project.gross_margin),
        margin_percent(project.gross_margin, project.billed_to_date),
        project.completion_rate,
        project.due_date,
    ]


def totals_row(totals: dict) -> list:
    count = totals["count"]
    label = f"Total, {count} project{'' if count == 1 else 's'}"
    return [
        label,
        "",
        "",
        cents(totals["contract_value"]),
        cents(totals["cost_to_date"]),
        cents(totals["billed_to_date"]),
        cents(totals["gross_margin"]),
        margin_percent(totals["gross_margin"], totals["billed_to_date"]),
        None,
        None,
    ]


def filename(company, extension: str) -> str:
    return f"{slugify(company.name) or 'company'}-projects-{timezone.localdate():%Y-%m-%d}.{extension}"


def attachment(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return str(value)


def csv_response(company, projects, totals: dict) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in (*map(project_row, projects.iterator(chunk_size=2000)), totals_row(totals)):
        writer.writerow([csv_text(value) for value in row])
    return attachment(out.getvalue(), "text/csv; charset=utf-8", filename(company, "csv"))


def xlsx_cell(sheet, value, column, bold=False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a name starting with "=" is text, never a formula
    elif column.key in FORMATS:
        cell.number_format = FORMATS[column.key]
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_response(company, projects, totals: dict) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Projects")
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJ", (36, 28, 14, 16, 16, 16, 16, 10, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([xlsx_cell(sheet, label, column, bold=True) for label, column in zip(HEADERS, COLUMNS, strict=True)])
    for project in projects.iterator(chunk_size=2000):
        sheet.append(
            [xlsx_cell(sheet, value, column) for value, column in zip(project_row(project), COLUMNS, strict=True)]
        )
    sheet.append(
        [xlsx_cell(sheet, value, column, bold=True) for value, column in zip(totals_row(totals), COLUMNS, strict=True)]
    )
    out = io.BytesIO()
    workbook.save(out)
    return attachment(out.getvalue(), XLSX_TYPE, filename(company, "xlsx"))
