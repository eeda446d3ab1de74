"""Every export Costline writes, CSV or XLSX, through one table writer.

A `Table` is columns (each with the kind of figure it holds) and rows. Whatever the file:
- text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written as text, never run;
- money stays Decimal from the database to the file: CSV writes its exact text, XLSX stores it as a number with a
  money format;
- percentages are real percentages: 12.5% is "12.5%" in CSV and 0.125 formatted 0.0% in XLSX, so a spreadsheet
  reads both as the percentage, not as the number 12.5;
- dates are dates.
CSV streams a row at a time (a ledger can be long); XLSX is written in openpyxl's write-only mode.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from itertools import chain

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from quickbooks.sync.documents import CENT

from .dashboard import COLUMNS
from .figures import over_budget, percent_complete

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # text a spreadsheet would run as a formula
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
TEXT, MONEY, PERCENT, NUMBER, DATE = "text", "money", "percent", "number", "date"
XLSX_FORMATS = {MONEY: "#,##0.00", PERCENT: "0.0%", NUMBER: "#,##0.####", DATE: "yyyy-mm-dd"}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 14  # in XLSX characters


@dataclass
class Table:
    """Rows of values in the columns' order; percentages as percentage points (12.5 for 12.5%); `totals` last."""

    name: str  # the file's name, without extension
    sheet: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    totals: Sequence | None = None

    def all_rows(self) -> Iterator[tuple[Sequence, bool]]:
        """(row, is_totals) for each row, the totals last."""
        return chain(((row, False) for row in self.rows), [(self.totals, True)] if self.totals is not None else [])


def csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return f"'{value}" if value.startswith(FORMULA_STARTS) else value
    if kind == MONEY:
        return str(Decimal(value).quantize(CENT))  # SQLite hands back 12000 for 12000.00; exact, never rounded
    if kind == PERCENT:
        return f"{value}%"
    return str(value)


def xlsx_value(value, kind: str):
    if value is None or isinstance(value, str):
        return value
    if kind == MONEY:
        return Decimal(value).quantize(CENT)
    if kind == PERCENT:
        return Decimal(value) / HUNDRED
    return value


def csv_response(table: Table) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    lines = chain(
        [writer.writerow([column.header for column in table.columns])],
        (
            writer.writerow([csv_value(value, column.kind) for value, column in zip(row, table.columns, strict=True)])
            for row, _ in table.all_rows()
        ),
    )
    return _attachment(StreamingHttpResponse(lines, content_type=CSV_TYPE), f"{table.name}.csv")


def xlsx_response(table: Table) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.sheet)
    sheet.freeze_panes = "A2"
    for number, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.append([_xlsx_cell(sheet, column.header, TEXT, bold=True) for column in table.columns])
    for row, is_totals in table.all_rows():
        sheet.append(
            [_xlsx_cell(sheet, value, column.kind, is_totals) for value, column in zip(row, table.columns, strict=True)]
        )
    out = BytesIO()
    workbook.save(out)
    return _attachment(HttpResponse(out.getvalue(), content_type=XLSX_TYPE), f"{table.name}.xlsx")


def _xlsx_cell(sheet, value, kind: str, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=xlsx_value(value, kind))
    if isinstance(value, str):
        cell.data_type = "s"  # a name starting with "=" is text, never a formula
    elif kind in XLSX_FORMATS:
        cell.number_format = XLSX_FORMATS[kind]
    if bold:
        cell.font = Font(bold=True)
    return cell


def _attachment(response, name: str):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Echo:
    """A file-like object whose write returns the line: csv.writer formats, the response streams."""

    def write(self, value: str) -> str:
        return value


def dated_name(*parts: str) -> str:
    """`harbor-build-co-projects-2026-05-01`: what, for whom, as of today."""
    return "-".join([*(slugify(part) or "export" for part in parts), f"{timezone.localdate():%Y-%m-%d}"])


# --- The dashboard -------------------------------------------------------------------------------------------

DASHBOARD_KINDS = {
    "contract_value": MONEY,
    "cost": MONEY,
    "billed": MONEY,
    "margin": MONEY,
    "margin_percent": PERCENT,
    "complete": PERCENT,
    "due": DATE,
}
DASHBOARD_WIDTHS = (36, 28, 14, 16, 16, 16, 16, 10, 12, 12)
DASHBOARD_COLUMNS = [
    Column(column.label, DASHBOARD_KINDS.get(column.key, TEXT), width)
    for column, width in zip(COLUMNS, DASHBOARD_WIDTHS, strict=True)
]


def margin_percent(margin: Decimal, billed: Decimal) -> Decimal | None:
    """Billed margin as a percentage of billed to date, to one place as the page shows it; none without billing."""
    if not billed:
        return None
    return (margin / billed * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def complete(project) -> Decimal | str | None:
    """% complete as the page shows it: cost-to-cost, or the over-budget flag, or nothing without an estimate."""
    if over_budget(project.cost_to_date, project.estimated_cost):
        return "over budget: forecast needed"
    return percent_complete(project.cost_to_date, project.estimated_cost)


def project_row(project) -> list:
    return [
        project.name,
        project.customer_name,
        project.get_status_display(),
        project.contract_value,
        project.cost_to_date,
        project.billed_to_date,
        project.gross_margin,
        margin_percent(project.gross_margin, project.billed_to_date),
        complete(project),
        project.due_date,
    ]


def totals_row(totals: dict) -> list:
    count = totals["count"]
    label = f"Total, {count} project{'' if count == 1 else 's'}"
    margin = margin_percent(totals["gross_margin"], totals["billed_to_date"])
    figures = [totals[name] for name in ("contract_value", "cost_to_date", "billed_to_date", "gross_margin")]
    return [label, "", "", *figures, margin, None, None]


def dashboard_table(company, projects, totals: dict) -> Table:
    return Table(
        name=dated_name(company.name, "projects"),
        sheet="Projects",
        columns=DASHBOARD_COLUMNS,
        rows=map(project_row, projects.iterator(chunk_size=2000)),
        totals=totals_row(totals),
    )


# --- A project's ledger --------------------------------------------------------------------------------------

LEDGER_FIELDS = (  # (field, header, kind, width)
    ("txn_date", "Date", DATE, 12),
    ("txn_type", "Type", TEXT, 14),
    ("doc_number", "No.", TEXT, 10),
    ("txn_qbo_id", "QuickBooks id", TEXT, 12),
    ("line_id", "Line", TEXT, 6),
    ("kind", "Kind", TEXT, 12),
    ("tagged_by", "Tagged by", TEXT, 12),
    ("account_name", "Account", TEXT, 28),
    ("item_name", "Item", TEXT, 24),
    ("class_name", "Class", TEXT, 16),
    ("department_name", "Location", TEXT, 16),
    ("description", "Description", TEXT, 40),
    ("qty", "Qty", NUMBER, 10),
    ("unit_price", "Unit price", NUMBER, 12),
    ("hours", "Hours", NUMBER, 8),
    ("amount", "Amount", MONEY, 14),
)
LEDGER_COLUMNS = [Column(header, kind, width) for _, header, kind, width in LEDGER_FIELDS] + [
    Column("QuickBooks link", TEXT, 40)
]


def ledger_table(project, lines, link) -> Table:
    """The (filtered) ledger, one row a line, each with its document's QuickBooks link (`link(type, id)`)."""
    fields = [field for field, *_ in LEDGER_FIELDS]
    rows = lines.order_by("txn_date", "txn_type", "txn_qbo_id", "line_id", "pk").values_list(*fields)
    return Table(
        name=dated_name(project.name or f"project-{project.pk}", "ledger"),
        sheet="Ledger",
        columns=LEDGER_COLUMNS,
        rows=([*row, link(row[1], row[3])] for row in rows.iterator()),
    )
