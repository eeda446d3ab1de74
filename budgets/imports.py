"""Budget lines imported from a spreadsheet (XLSX or CSV): read the file, map its columns, check every row, and append
the lines to the project's budget. Nothing here knows about HTTP; budgets/import_views.py holds the pages.

The file is read by openpyxl (XLSX) or Python's csv module (CSV), every cell kept as text and every number read as a
Decimal from that text, never a float. Names are QuickBooks' own (its items, accounts, classes and locations, as the
last sync read them), matched on the full name or the name, whatever the case. Nothing is saved until every row is
valid; then the lines go through `budget_save` like the budget form's, so the push and the history are the same
(docs/architecture.md, Push).
"""

import csv
import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from projects.documents.lines import amount_problem, to_cents
from projects.models import Project
from quickbooks.models import Membership, ReferenceRecord
from quickbooks.models.fields import MONEY_MAX, QUANTITY_MAX, QUANTITY_PLACES
from quickbooks.sync.documents import number

from .models import Budget, BudgetChange, BudgetLine
from .services import (
    MAX_BUDGET_LINES,
    budget_of,
    budget_save,
    current_lines,
    line_amount,
    lines_total,
    new_budget,
    offered,
    waiting,
)

MAX_ROWS = 500  # lines in one file: what a budget holds (services.MAX_BUDGET_LINES)
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILE_WORDS = "2 MB"
MAX_COLUMNS = 50  # columns read from each row
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # an XLSX is a zip: what it may unpack to
MAX_CELL = 4001  # characters kept of one cell: enough to tell a description past QuickBooks' 4,000
MAX_TEXT = 4 * 1024 * 1024  # characters kept of a whole file between the steps
MAX_DESCRIPTION = 4000  # Intuit's length for a line's description (docs/quickbooks-api.md, Limits)
MONEY_PLACES = 2
SHEET = "Budget lines"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header
    words: str  # in a sentence: "the item"
    also: tuple[str, ...] = ()  # other headers taken as this column when guessing


COLUMNS = (
    Column("line_type", "Type", "the type", ("line type", "kind")),
    Column("item", "Item", "the item", ("item name", "product/service", "product or service", "product", "service")),
    Column("account", "Account", "the account", ("account name", "gl account", "expense account")),
    Column("description", "Description", "the description", ("memo", "desc", "details")),
    Column("class", "Class", "the class", ("class name",)),
    Column("location", "Location", "the location", ("department", "location name")),
    Column("quantity", "Quantity", "the quantity", ("qty", "units", "hours")),
    Column("unit_cost", "Unit cost", "the unit cost", ("cost per unit", "unit price", "rate", "cost rate")),
    Column("amount", "Amount", "the amount", ("total", "budget", "budget amount", "line total")),
    Column("date", "Date", "the date", ("budget date", "period")),
)
HEADERS = [column.header for column in COLUMNS]
BY_KEY = {column.key: column for column in COLUMNS}
ENTITIES = {"item": "Item", "account": "Account", "class": "Class", "location": "Department"}
TYPE_WORDS = {
    "item": BudgetLine.Type.ITEM,
    "items": BudgetLine.Type.ITEM,
    "product/service": BudgetLine.Type.ITEM,
    "account": BudgetLine.Type.ACCOUNT,
    "accounts": BudgetLine.Type.ACCOUNT,
}
# 1,234.50 / 1234.5 / .5, with an optional sign or accounting parentheses, and a currency sign: $1,234.50, -$5, ($5)
NUMBER = re.compile(
    r"(?P<open>\()?(?P<minus>-)?[$€£]?(?P<minus_after>-)?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?P<close>\))?",
    re.ASCII,  # digits 0-9 only
)
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d")


class FileError(Exception):
    """The file cannot be read as a spreadsheet of budget lines; the message says why, in words."""


# ---- reading the file ----


@dataclass
class Sheet:
    """A spreadsheet's rows as text: the header row, then each row with its number as the spreadsheet shows it."""

    file_name: str
    sheet_name: str
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]

    @property
    def width(self) -> int:
        return max([len(self.headers), *(len(cells) for _, cells in self.rows)])

    def column_label(self, index: int) -> str:
        header = self.headers[index] if index < len(self.headers) else ""
        return f"{get_column_letter(index + 1)}: {header}" if header else f"Column {get_column_letter(index + 1)}"

    def to_dict(self) -> dict:
        return {
            "file": self.file_name,
            "sheet": self.sheet_name,
            "header_row": self.header_row,
            "headers": self.headers,
            "rows": [[number, cells] for number, cells in self.rows],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Sheet":
        rows = [(int(number), [str(cell) for cell in cells]) for number, cells in data["rows"]]
        return cls(data["file"], data["sheet"], int(data["header_row"]), [str(h) for h in data["headers"]], rows)


def read_file(file_name: str, data: bytes) -> Sheet:
    """The file's rows as text; FileError, in words, for anything that is not a spreadsheet of lines."""
    if not data:
        raise FileError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise FileError(f"The file is larger than {MAX_FILE_WORDS}: import at most {MAX_ROWS} lines at a time.")
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the older Excel format (.xls), or a workbook saved with a password
        raise FileError(
            "This is an older Excel workbook (.xls) or one with a password. Open it in Excel and save it as an Excel "
            "Workbook (.xlsx) without a password, or as CSV, then upload that."
        )
    if data.startswith(b"PK\x03\x04"):
        rows, sheet_name = _xlsx_rows(data)
    else:
        rows, sheet_name = _csv_rows(data), ""
    return _sheet(file_name, sheet_name, rows)


def _sheet(file_name: str, sheet_name: str, rows: list[tuple[int, list[str]]]) -> Sheet:
    if not rows:
        raise FileError("The file has no rows: fill in the template's columns, one line a row, under its headers.")
    (header_row, headers), body = rows[0], rows[1:]
    sheet = Sheet(file_name, sheet_name, header_row, headers, body)
    if not body:
        raise FileError("The file has a header row but no lines under it.")
    if sheet.width < 2:
        raise FileError(
            "Costline found a single column in this file, and a line needs at least an item or account and an "
            "amount. If it is a CSV file, separate the columns with commas."
        )
    if sum(len(cell) for _, cells in rows for cell in cells) > MAX_TEXT:
        raise FileError("The file holds too much text to import at once: split it into smaller files.")
    return sheet


def _kept(cells: list[str]) -> list[str] | None:
    """A row's cells, trimmed of empty cells at its end; None for an empty row."""
    cells = [cell[:MAX_CELL] for cell in cells[:MAX_COLUMNS]]
    while cells and not cells[-1]:
        cells.pop()
    return cells or None


def _collect(rows) -> list[tuple[int, list[str]]]:
    """Non-empty rows with their numbers, the header row first; FileError past MAX_ROWS lines."""
    kept: list[tuple[int, list[str]]] = []
    for number_, cells in rows:
        row = _kept(cells)
        if row is None:
            continue
        kept.append((number_, row))
        if len(kept) > MAX_ROWS + 1:
            raise FileError(
                f"The file has more than {MAX_ROWS} lines: a budget takes at most {MAX_BUDGET_LINES}. "
                "Split it into smaller files."
            )
    return kept


def _xlsx_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise FileError("This workbook unpacks to too much data to import: copy the lines into the template.")
    except zipfile.BadZipFile as error:
        raise FileError(NOT_A_WORKBOOK) from error
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileError(NOT_A_WORKBOOK) from error
    try:
        names = workbook.sheetnames
        if not names:
            raise FileError("This workbook has no sheets.")
        sheet_name = SHEET if SHEET in names else names[0]
        worksheet = workbook[sheet_name]
        rows = (
            (number_, [cell_text(value) for value in values])
            for number_, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)
        )
        return _collect(rows), sheet_name
    except FileError:
        raise
    except Exception as error:  # a damaged sheet, read lazily
        raise FileError(NOT_A_WORKBOOK) from error
    finally:
        workbook.close()


NOT_A_WORKBOOK = (
    "This file is not an Excel workbook (.xlsx) or a CSV file Costline can read. Save it from your spreadsheet as an "
    "Excel Workbook (.xlsx) or as CSV, then upload that."
)


def cell_text(value) -> str:
    """A cell as text, as given: numbers exactly (a float to the 15 digits a spreadsheet keeps), dates as 2026-04-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if any(mark in first for mark in ",;\t") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = ((number_, [cell.strip() for cell in cells]) for number_, cells in enumerate(reader, start=1))
        return _collect(rows)
    except csv.Error as error:
        raise FileError(f"This CSV file cannot be read ({error}). Save it again from your spreadsheet.") from error


def _decode(data: bytes) -> str:
    """Text in the encodings spreadsheets save CSV in: UTF-8 (with or without its mark), UTF-16, Windows' own."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise FileError(NOT_A_WORKBOOK) from error
    if b"\x00" in data:
        raise FileError(NOT_A_WORKBOOK)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if any(ord(char) < 32 and char not in "\t\r\n" for char in text[:10000]):
        raise FileError(NOT_A_WORKBOOK)
    return text


# ---- the columns ----


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())


def guess_columns(sheet: Sheet) -> tuple[dict[str, int | None], bool]:
    """Which column holds each field, guessed from the header row; and whether every header is one of the template's
    (then no one needs to check the guess)."""
    exact = {_plain(column.header): column.key for column in COLUMNS}
    alike = {_plain(word): column.key for column in COLUMNS for word in column.also}
    mapping: dict[str, int | None] = {column.key: None for column in COLUMNS}
    all_exact = True
    for index, header in enumerate(sheet.headers):
        words = _plain(header)
        if not words:
            continue
        key = exact.get(words)
        if key is None:
            all_exact = False
            key = alike.get(words)
        if key is not None and mapping[key] is None:
            mapping[key] = index
        elif key is not None:
            all_exact = False  # a column named twice: someone should say which one
    return mapping, all_exact and not column_problems(mapping)


def column_problems(mapping: dict[str, int | None]) -> list[str]:
    """Why a choice of columns cannot be read, in words; none when it can."""
    problems = []
    taken: dict[int, str] = {}
    for column in COLUMNS:
        index = mapping.get(column.key)
        if index is None:
            continue
        if index in taken:
            problems.append(
                f"Column {get_column_letter(index + 1)} is chosen for both {taken[index]} and {column.words}: "
                "choose one column for each."
            )
        else:
            taken[index] = column.words
    if mapping.get("item") is None and mapping.get("account") is None:
        problems.append("Choose the column that names the item, or the account, of each line.")
    if mapping.get("amount") is None and (mapping.get("quantity") is None or mapping.get("unit_cost") is None):
        problems.append("Choose the column of amounts, or the columns of quantity and unit cost.")
    return problems


def clean_mapping(raw, width: int) -> dict[str, int | None]:
    """A mapping as posted or kept (each field's column number as text, or blank), whatever was sent."""
    mapping: dict[str, int | None] = {}
    for column in COLUMNS:
        found = raw.get(column.key)
        value = "" if found is None else str(found)[:4]  # column 0 is a column
        mapping[column.key] = int(value) if value.isdigit() and int(value) < width else None
    return mapping


# ---- checking each row ----


class Names:
    """The company's items, accounts, classes and locations, found by full name or name, whatever the case."""

    def __init__(self, company):
        self.by_name: dict[str, dict[str, list[ReferenceRecord]]] = {entity: {} for entity in ENTITIES.values()}
        self.by_full_name: dict[str, dict[str, list[ReferenceRecord]]] = {entity: {} for entity in ENTITIES.values()}
        self.labels: dict[tuple[str, str], str] = {}
        rows = ReferenceRecord.objects.filter(company=company, entity__in=list(ENTITIES.values()))
        for record in rows.order_by("fully_qualified_name", "name", "qbo_id"):
            full = record.fully_qualified_name or record.name
            self.labels[(record.entity, record.qbo_id)] = full or record.qbo_id
            if full:
                self.by_full_name[record.entity].setdefault(_plain(full), []).append(record)
            if record.name:
                self.by_name[record.entity].setdefault(_plain(record.name), []).append(record)

    def find(self, key: str, text: str) -> tuple[ReferenceRecord | None, str | None]:
        """The record `text` names, or why none: unknown, inactive, or more than one by that name."""
        entity, what = ENTITIES[key], BY_KEY[key].header.lower()
        wanted = _plain(text)
        found = self.by_full_name[entity].get(wanted) or self.by_name[entity].get(wanted) or []
        if len(found) > 1:
            active = [record for record in found if record.active]
            found = active if len(active) == 1 else found
        if not found:
            return None, f"no {what} named “{text}” in QuickBooks{self._suggestion(entity, wanted)}"
        if len(found) > 1:
            names = ", ".join(f"“{self.label(entity, record.qbo_id)}”" for record in found[:5])
            return None, f"“{text}” names {len(found)} {what}s in QuickBooks ({names}): write the full name"
        record = found[0]
        if not record.active:
            return None, (
                f"{what} “{self.label(entity, record.qbo_id)}” is inactive in QuickBooks: choose another, or make it "
                "active in QuickBooks and sync again"
            )
        return record, None

    def label(self, entity: str, qbo_id: str) -> str:
        return self.labels.get((entity, qbo_id), qbo_id)

    def _suggestion(self, entity: str, wanted: str) -> str:
        """The active name closest to a mistyped one (its full name or its name alone), if one is close."""
        known = {**self.by_name[entity], **self.by_full_name[entity]}
        close = difflib.get_close_matches(wanted, list(known), n=1, cutoff=0.8)
        records = [record for record in known[close[0]] if record.active] if close else []
        return f" (did you mean “{self.label(entity, records[0].qbo_id)}”?)" if len(records) == 1 else ""

    def active_names(self, key: str) -> list[str]:
        entity = ENTITIES[key]
        names = {
            self.label(entity, record.qbo_id)
            for records in self.by_full_name[entity].values()
            for record in records
            if record.active
        }
        return sorted(names, key=str.casefold)


def parse_number(text: str) -> Decimal:
    """A number as people type it in a spreadsheet: 1234.5, 1,234.50, $1,234.50, (1,234.50) or -1234.5.
    ValueError when it is not one (a comma is only ever a thousands separator: 1,5 is refused, not read as 15)."""
    found = NUMBER.fullmatch("".join(text.split()).replace("\u2212", "-"))
    if found is None or bool(found["open"]) != bool(found["close"]):
        raise ValueError(text)
    if sum(1 for sign in ("open", "minus", "minus_after") if found[sign]) > 1:
        raise ValueError(text)
    try:
        value = Decimal(found["digits"].replace(",", ""))
    except InvalidOperation as error:
        raise ValueError(text) from error
    return -value if found["open"] or found["minus"] or found["minus_after"] else value


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_date(text: str) -> date:
    """2026-04-01 (a time after it, as a spreadsheet may add, is dropped), 04/01/2026 (month first) or 2026/04/01."""
    if len(text) > 10 and text[10] in " T":
        text = text[:10]
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007  # a day, no time and no zone
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class Row:
    """One row of the file as the preview shows it: what was read, what it becomes, and what is wrong with it."""

    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    line: dict | None = None
    line_type: str = ""
    what: str = ""
    class_name: str = ""
    location_name: str = ""
    quantity: Decimal | None = None
    unit_cost: Decimal | None = None
    amount: Decimal | None = None
    day: date | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, text: str) -> None:
        self.errors.append(f"Row {self.number}: {text}.")


@dataclass
class Preview:
    """Every row checked, and what is wrong with the file as a whole."""

    rows: list[Row]
    problems: list[str]
    budget: Budget | None
    existing: int  # lines the budget has already
    source: str = ""  # the file's name, and its sheet's

    @property
    def valid(self) -> list[Row]:
        return [row for row in self.rows if row.ok]

    @property
    def invalid(self) -> list[Row]:
        return [row for row in self.rows if not row.ok]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems and not self.invalid

    @property
    def total(self) -> Decimal:
        return sum((row.amount or Decimal(0) for row in self.valid), Decimal("0.00"))

    @property
    def lines(self) -> list[dict]:
        return [row.line for row in self.rows if row.line is not None]


def _number(row: Row, key: str, text: str, *, high: Decimal, places: int) -> Decimal | None:
    if not text:
        return None
    words = BY_KEY[key].header.lower()
    try:
        value = parse_number(text)
    except ValueError:
        row.error(f"{words} “{text}” is not a number")
        return None
    if value < 0:
        row.error(f"{words} “{text}” is negative: a budget line plans a cost, so its numbers are zero or more")
    elif value > high:
        row.error(f"{words} “{text}” is more than {high:,}, the most QuickBooks takes")
    elif _places(value) > places:
        row.error(f"{words} “{text}” has more than {places} decimal places (QuickBooks keeps {places})")
    else:
        return value
    return None


def _check_row(row: Row, names: Names) -> None:
    """Fill in what the row becomes, or what is wrong with it, in words."""
    line_type, found = _what(row, names)
    item, account, klass, location = (found.get(key) for key in ("item", "account", "class", "location"))
    description = row.values.get("description", "")
    if len(description) > MAX_DESCRIPTION:
        row.error(f"the description is longer than {MAX_DESCRIPTION:,} characters, the most QuickBooks takes")
    _figures(row, item)
    when = row.values.get("date", "")
    try:
        row.day = parse_date(when) if when else None
    except ValueError:
        row.error(f"date “{when}” is not a date: write it as 2026-04-01 or 04/01/2026 (month first)")
    if row.errors:
        return
    row.line = {
        "line_type": line_type,
        "item_qbo_id": item.qbo_id if item and line_type == BudgetLine.Type.ITEM else "",
        "account_qbo_id": account.qbo_id if account and line_type == BudgetLine.Type.ACCOUNT else "",
        "class_qbo_id": klass.qbo_id if klass else "",
        "location_qbo_id": location.qbo_id if location else "",
        "quantity": row.quantity,
        "unit_cost": row.unit_cost,
        "amount": row.amount,
        "description": description,
        "date": row.day,
    }


def _what(row: Row, names: Names) -> tuple[str, dict[str, ReferenceRecord | None]]:
    """The line's type, and the QuickBooks records its item, account, class and location name."""
    values = row.values
    kind, item_text, account_text = values.get("line_type", ""), values.get("item", ""), values.get("account", "")
    line_type = TYPE_WORDS.get(_plain(kind)) if kind else None
    if kind and line_type is None:
        row.error(f"type “{kind}” is neither Item nor Account")
    if not kind:  # left blank: what the row names says it
        line_type = BudgetLine.Type.ACCOUNT if account_text and not item_text else BudgetLine.Type.ITEM
    found: dict[str, ReferenceRecord | None] = {}
    for key in ENTITIES:
        if text := values.get(key, ""):
            found[key], problem = names.find(key, text)
            if problem:
                row.error(problem)
    if item_text and account_text:
        row.error(
            f"names both an item (“{item_text}”) and an account (“{account_text}”): a line budgets one of them, "
            "so clear the other"
        )
    elif line_type == BudgetLine.Type.ITEM and not item_text:
        row.error("no item: name the item this line budgets, or set its type to Account and name the account")
    elif line_type == BudgetLine.Type.ACCOUNT and not account_text:
        row.error("no account: name the account this line budgets, or set its type to Item and name the item")
    row.line_type = line_type or ""
    shown = {key: names.label(ENTITIES[key], record.qbo_id) for key, record in found.items() if record}
    row.what = shown.get("item") or shown.get("account") or item_text or account_text
    row.class_name = shown.get("class") or values.get("class", "")
    row.location_name = shown.get("location") or values.get("location", "")
    return line_type or "", found


def _figures(row: Row, item: ReferenceRecord | None) -> None:
    """Quantity, unit cost and amount, each a number QuickBooks takes, and the amount they come to."""
    values = row.values
    quantity = _number(row, "quantity", values.get("quantity", ""), high=QUANTITY_MAX, places=QUANTITY_PLACES)
    unit_cost = _number(row, "unit_cost", values.get("unit_cost", ""), high=MONEY_MAX, places=QUANTITY_PLACES)
    amount = _number(row, "amount", values.get("amount", ""), high=MONEY_MAX, places=MONEY_PLACES)
    read = {"quantity": quantity, "unit_cost": unit_cost, "amount": amount}
    unreadable = any(values.get(key) and value is None for key, value in read.items())
    if quantity is not None and not values.get("unit_cost") and not values.get("amount") and item is not None:
        unit_cost = number((item.qbo_document or {}).get("PurchaseCost"))  # as the form does: the item's own cost
        if unit_cost is not None:
            row.notes.append("unit cost: the item's purchase cost in QuickBooks")
    row.quantity, row.unit_cost = quantity, unit_cost
    if not unreadable:  # a number that is not one has its own message; the amount is not worked out without it
        row.amount = _amount(row, quantity, unit_cost, amount)


def _amount(row: Row, quantity: Decimal | None, unit_cost: Decimal | None, amount: Decimal | None) -> Decimal | None:
    """Quantity x unit cost to the cent, as QuickBooks computes it, which a given amount must equal; or the amount."""
    if quantity is not None and unit_cost is not None:
        computed = line_amount({"quantity": quantity, "unit_cost": unit_cost})
        if amount is not None and amount != computed:
            given = row.values
            row.error(
                f"quantity {given['quantity']} × unit cost {given['unit_cost']} is {computed:,}, not the amount "
                f"{given['amount']} given: correct one of them, or leave the amount blank"
            )
        elif problem := amount_problem("this line", computed):
            row.error(problem.rstrip("."))
        return computed
    if amount is None:
        if quantity is None and unit_cost is None:
            row.error("no amount: give an amount, or a quantity and a unit cost")
        else:
            missing = "unit cost" if unit_cost is None else "quantity"
            row.error(f"no {missing}: give both a quantity and a unit cost, or just an amount")
        return None
    if quantity is not None or unit_cost is not None:
        row.error("give both a quantity and a unit cost, or neither (just the amount)")
    return to_cents(amount)


def same_line(line: dict) -> tuple:
    """What makes two lines the same line: a file that says it twice would budget it twice."""
    numbers = [line.get(key) for key in ("quantity", "unit_cost")]
    return (
        line.get("line_type") or BudgetLine.Type.ITEM,
        line.get("item_qbo_id") or "",
        line.get("account_qbo_id") or "",
        line.get("class_qbo_id") or "",
        line.get("location_qbo_id") or "",
        *(None if value is None else value.normalize() for value in numbers),
        line_amount(line),
        " ".join((line.get("description") or "").split()).casefold(),
        line.get("date"),
    )


def check(sheet: Sheet, mapping: dict[str, int | None], project: Project) -> Preview:
    """Every row of the file checked against QuickBooks' names, the numbers, each other and the budget's lines."""
    names, budget = Names(project.company), budget_of(project)
    rows = []
    for number_, cells in sheet.rows:
        values = {
            key: (cells[index] if index is not None and index < len(cells) else "").strip()
            for key, index in mapping.items()
        }
        if not any(values.values()):
            continue  # a row with something only in columns not read
        row = Row(number_, values)
        _check_row(row, names)
        rows.append(row)
    existing = current_lines(budget)
    _check_repeats(rows, existing, budget)
    problems = column_problems(mapping)
    if not rows:
        problems.append("No row has anything in the columns chosen: check the columns.")
    if len(existing) + len(rows) > MAX_BUDGET_LINES:
        problems.append(
            f"{budget} has {len(existing)} lines and the file {len(rows)}: a budget takes at most "
            f"{MAX_BUDGET_LINES} lines here."
        )
    if problem := amount_problem(
        "The budget", sum((line_amount(line) for line in [*existing, *(r.line for r in rows if r.line)]), Decimal(0))
    ):
        problems.append(problem)
    source = f"“{sheet.file_name}”" + (f" (sheet “{sheet.sheet_name}”)" if sheet.sheet_name else "")
    return Preview(rows, problems, budget, len(existing), source)


def _check_repeats(rows: list[Row], existing: list[dict], budget: Budget | None) -> None:
    on_budget = {same_line(line) for line in existing}
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.line is None:
            continue
        key = same_line(row.line)
        if key in seen:
            row.errors.append(f"Row {row.number} repeats row {seen[key]}.")
        elif key in on_budget:
            row.error(f"the same line is already on {budget}, so importing it would budget it twice")
        else:
            seen[key] = row.number
        if row.errors:
            row.line = None


# ---- saving ----


@dataclass
class Imported:
    budget: Budget
    count: int
    sent: bool


def import_lines(*, project: Project, sheet: Sheet, mapping: dict[str, int | None], by: Membership) -> Imported:
    """Append the file's lines to the project's budget (a new draft budget when it has none) in one save. Sent to
    QuickBooks when the budget is there already (or on its way); otherwise kept as a draft to check and send from
    the budget page. The rows are checked again with the project locked, so two imports of one file (a double click,
    two tabs) cannot both pass the check for lines already on the budget.
    Raises ValidationError (nothing saved) when a row is wrong or the budget cannot take the lines."""
    with transaction.atomic():
        list(Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True))
        preview = check(sheet, mapping, project)
        if not preview.ok:
            raise ValidationError("Some rows have problems, so nothing was imported: check them below.")
        budget = preview.budget or new_budget(project)
        lines = [*current_lines(preview.budget), *preview.lines]
        count = len(preview.lines)
        detail = f"{count} line{'s' if count != 1 else ''} imported from {preview.source}."
        send = budget.in_quickbooks or (budget.pk is not None and waiting(budget))  # on its way: its edits follow
        item = budget_save(
            budget=budget, lines=lines, by=by, send=send, action=BudgetChange.Action.IMPORTED, detail=detail
        )
        return Imported(budget, count, item is not None)


def imported_message(result: Imported, project: Project) -> str:
    budget, count = result.budget, result.count
    said = (
        f"{count} line{'s' if count != 1 else ''} imported into {budget}; its lines add up to {lines_total(budget):,}."
    )
    if result.sent:
        return f"{said} They are on their way to QuickBooks: the Sync page shows when they arrive."
    if not offered(project.company):
        return f"{said} This company's QuickBooks plan has no project budgets, so the budget stays in Costline."
    return f"{said} The budget is a draft in Costline: check it, then send it to QuickBooks from this page."


# ---- the template ----


def template_csv() -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(HEADERS)
    return out.getvalue()


LIST_SHEETS = (("item", "Items"), ("account", "Accounts"), ("class", "Classes"), ("location", "Locations"))
HOW_TO = (
    "One budget line a row, under the headers of the sheet “Budget lines”. Leave the headers as they are.",
    "Type: Item or Account. Left blank, a row naming an item is an item line, one naming an account an account line.",
    "Item or Account: the name as QuickBooks shows it (the sheets Items and Accounts list them); for a sub-item, "
    "the name alone will do when it is the only one by that name, else the full name, like Materials:Cabinets.",
    "Class and Location: optional, by name (the sheets Classes and Locations list them).",
    "Quantity and Unit cost: the amount is quantity × unit cost, to the cent. Or leave them blank and give the "
    "amount alone. A given amount must equal quantity × unit cost.",
    "Numbers: 1234.50, 1,234.50 or $1,234.50; zero or more. Dates: 2026-04-01 or 04/01/2026 (month first).",
    "The lines are added to the project's budget; nothing is saved until every row is right.",
)


def template_xlsx(company) -> bytes:
    """The template: the headers, lists of the company's active names to choose from, and how to fill it in."""
    names = Names(company)
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = SHEET
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = {"Type": 10, "Item": 30, "Account": 30, "Description": 40, "Class": 18, "Location": 18}
    for index, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(header, 14)
    _choice(sheet, "line_type", '"Item,Account"')
    for key, title in LIST_SHEETS:
        listing = workbook.create_sheet(title)
        listing.append(["Name"])
        listing["A1"].font = Font(bold=True)
        listing.column_dimensions["A"].width = 40
        found = names.active_names(key)
        for name in found:
            listing.append([name])
            listing.cell(row=listing.max_row, column=1).data_type = "s"  # a name starting with "=" stays text
        if found:
            _choice(sheet, key, f"{quote_sheetname(title)}!$A$2:$A${len(found) + 1}")
    how = workbook.create_sheet("How to fill it in")
    how.column_dimensions["A"].width = 120
    for line in HOW_TO:
        how.append([line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _choice(sheet, key: str, formula: str) -> None:
    """A drop-down of the allowed values on the column; other text is still accepted (and checked on import)."""
    letter = get_column_letter(HEADERS.index(BY_KEY[key].header) + 1)
    choice = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
    sheet.add_data_validation(choice)
    choice.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
