"""Importing budget lines from a spreadsheet: the template, upload, column matching, the preview with each row's
problems in words, nothing saved until every row is right, then the lines appended to the budget and sent."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from budgets import imports
from budgets.models import Budget, BudgetChange, BudgetLine
from projects.models import Project
from quickbooks.models import Connection, OutboxItem, ReferenceRecord, SyncState

pytestmark = pytest.mark.django_db

HEADERS = ["Type", "Item", "Account", "Description", "Class", "Location", "Quantity", "Unit cost", "Amount", "Date"]


@pytest.fixture
def names(company):
    """The company's name lists, as a sync would have left them."""

    def record(entity, qbo_id, name, full_name="", active=True, **document):
        return ReferenceRecord.objects.create(
            company=company,
            entity=entity,
            qbo_id=qbo_id,
            name=name,
            fully_qualified_name=full_name or name,
            active=active,
            qbo_document={"Id": qbo_id, **document},
        )

    return {
        "cabinets": record("Item", "11", "Cabinets", "Materials:Cabinets", PurchaseCost=Decimal("180")),
        "labour": record("Item", "12", "Install labour", PurchaseCost=Decimal("45.50")),
        "tile": record("Item", "13", "Tile"),
        "old": record("Item", "14", "Old stock", active=False),
        "permits": record("Account", "61", "Permits and fees", "Job Expenses:Permits and fees"),
        "subs": record("Account", "62", "Subcontractors"),
        "remodel": record("Class", "301", "Remodel"),
        "north": record("Department", "401", "North yard"),
    }


@pytest.fixture
def project(company):
    return Project.objects.create(company=company, qbo_id="501", name="Kitchen remodel")


@pytest.fixture
def budgets_plan(company):
    """A plan with project budgets (QuickBooks Online Advanced)."""
    return Connection.objects.create(company=company, capabilities={"budgets_api": True})


def csv_file(rows, headers=HEADERS, name="lines.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, headers=HEADERS, name="lines.xlsx", sheet="Budget lines") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(headers)
    for row in rows:
        worksheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def url(name, company, project, *more):
    return reverse(f"budgets:{name}", args=[company.pk, project.pk, *more])


def upload(client, company, project, file):
    return client.post(url("import", company, project), {"file": file})


def token_of(response) -> str:
    return response.url.rstrip("/").split("/")[-1] if "columns" not in response.url else response.url.split("/")[-3]


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# ---- a file full of errors, one without ----


def test_a_file_full_of_errors_is_refused_row_by_row_and_nothing_is_saved(
    login, project_manager, company, project, names, budgets_plan
):
    budget = Budget.objects.create(company=company, project=project, name="Kitchen budget", state=Budget.State.DRAFT)
    BudgetLine.objects.create(
        budget=budget,
        line_type="ITEM",
        item_qbo_id="13",
        quantity=Decimal("10"),
        unit_cost=Decimal("12"),
        amount=Decimal("120.00"),
        description="Floor tile",
    )
    rows = [
        ["Item", "Cabinets", "", "Uppers", "Remodel", "North yard", "4", "180", "720", "2026-04-01"],  # row 2: right
        ["Item", "Cabinetz", "", "Lowers", "", "", "2", "180", "", ""],  # 3
        ["Account", "", "Permit fees", "City permit", "", "", "", "", "350", ""],  # 4
        ["Item", "Tile", "", "Backsplash", "Renovation", "Dock", "3", "20", "", ""],  # 5
        ["Item", "Install labour", "", "Crew", "", "", "ten", "45.50", "", ""],  # 6
        ["Item", "Cabinets", "", "Uppers", "Remodel", "North yard", "4", "180", "720", "2026-04-01"],  # 7 repeats 2
        ["Item", "", "", "Nothing named", "", "", "1", "5", "", ""],  # 8
        ["Account", "", "", "No account", "", "", "", "", "10", ""],  # 9
        ["Labour", "Tile", "", "Odd type", "", "", "1", "5", "", ""],  # 10
        ["Item", "Tile", "", "Grout", "", "", "4", "2.50", "11", ""],  # 11: 4 x 2.50 is 10.00
        ["Item", "Tile", "", "Trim", "", "", "1,5", "2", "", "31/12/2026"],  # 12
        ["Item", "Old stock", "", "Leftovers", "", "", "", "", "-40", ""],  # 13
        ["Item", "Tile", "", "Spacers", "", "", "", "", "", ""],  # 14: no amount
        ["Item", "Tile", "", "Floor tile", "", "", "10", "12", "", ""],  # 15: on the budget already
        ["Item", "Tile", "Subcontractors", "Both", "", "", "1", "1", "", ""],  # 16
    ]
    client = login(project_manager)

    answer = upload(client, company, project, csv_file(rows))
    assert answer.status_code == 302 and "/columns/" not in answer.url  # the template's headers: straight to check
    page = client.get(answer.url)
    text = page.content.decode()

    expected = [
        "Row 3: no item named “Cabinetz” in QuickBooks (did you mean “Materials:Cabinets”?).",
        "Row 4: no account named “Permit fees” in QuickBooks (did you mean “Job Expenses:Permits and fees”?).",
        "Row 5: no class named “Renovation” in QuickBooks.",
        "Row 5: no location named “Dock” in QuickBooks.",
        "Row 6: quantity “ten” is not a number.",
        "Row 7 repeats row 2.",
        "Row 8: no item: name the item this line budgets",
        "Row 9: no account: name the account this line budgets",
        "Row 10: type “Labour” is neither Item nor Account.",
        "Row 11: quantity 4 × unit cost 2.50 is 10.00, not the amount 11 given",
        "Row 12: quantity “1,5” is not a number.",
        "Row 12: date “31/12/2026” is not a date",
        "Row 13: item “Old stock” is inactive in QuickBooks",
        "Row 13: amount “-40” is negative",
        "Row 14: no amount: give an amount, or a quantity and a unit cost.",
        "Row 15: the same line is already on Kitchen budget, so importing it would budget it twice.",
        "Row 16: names both an item (“Tile”) and an account (“Subcontractors”)",
    ]
    for message in expected:
        assert message in text, message
    assert page.status_code == 200
    assert '<span class="state state-sync-synced" data-valid>1 ready</span>' in text
    assert "14 with problems" in text
    assert "Import 15 lines" not in text and "Nothing has been imported" in text
    assert 'data-row="2" class="ok"' in text and 'data-row="3" class="has-error"' in text

    refused = client.post(answer.url)  # the Import button is not shown; posting anyway changes nothing
    assert refused.status_code == 400 and "nothing was imported" in refused.content.decode()
    assert list(budget.lines.values_list("description", flat=True)) == ["Floor tile"]
    assert not BudgetChange.objects.exists() and not OutboxItem.objects.exists()


def test_a_valid_csv_becomes_a_draft_budget_with_every_amount_to_the_cent(
    login, project_manager, company, project, names, budgets_plan, sent
):
    rows = [
        ["Item", "cabinets", "", "Uppers", "remodel", "north yard", "4", "$1,234.50", "", "2026-04-01"],
        ["", "Install labour", "", "Crew, two days", "", "", "16", "", "", "04/15/2026"],  # unit cost: the item's
        ["Account", "", "job expenses:permits and fees", "City permit", "", "", "", "", "1,050.05", ""],
        ["", "", "Subcontractors", "Electrician", "Remodel", "", "2.5", "333.333", "", ""],
    ]
    client = login(project_manager)

    preview = client.get(upload(client, company, project, csv_file(rows)).url)
    text = preview.content.decode()
    assert "4 ready" in text and "with problems" not in text and "Import 4 lines" in text
    assert "into a new draft budget, “Kitchen remodel budget”" in text
    answer = client.post(reverse("budgets:import-preview", args=[company.pk, project.pk, token_of_preview(preview)]))

    assert answer.status_code == 302 and answer.url == reverse("reports:project-budget", args=[company.pk, project.pk])
    budget = Budget.objects.get(project=project)
    assert (budget.name, budget.state, budget.qbo_id) == ("Kitchen remodel budget", "DRAFT", "")
    lines = list(budget.lines.order_by("id"))
    assert [(line.line_type, line.item_qbo_id, line.account_qbo_id) for line in lines] == [
        ("ITEM", "11", ""),
        ("ITEM", "12", ""),
        ("ACCOUNT", "", "61"),
        ("ACCOUNT", "", "62"),
    ]
    assert [line.amount for line in lines] == [
        Decimal("4938.00"),
        Decimal("728.00"),
        Decimal("1050.05"),
        Decimal("833.33"),  # 2.5 x 333.333 = 833.3325, to the cent as QuickBooks rounds
    ]
    assert budget.total == Decimal("7549.38")
    assert (lines[0].class_qbo_id, lines[0].location_qbo_id, lines[0].date) == ("301", "401", date(2026, 4, 1))
    assert (lines[1].unit_cost, lines[1].date, lines[1].description) == (
        Decimal("45.5"),
        date(2026, 4, 15),
        "Crew, two days",
    )
    assert lines[3].unit_cost == Decimal("333.333") and lines[3].quantity == Decimal("2.5")
    change = BudgetChange.objects.get(budget=budget)
    assert change.action == BudgetChange.Action.IMPORTED and "4 lines imported from “lines.csv”" in change.detail
    assert not OutboxItem.objects.exists() and not sent.outbox  # a draft: sent from the budget page
    assert message_texts(answer) == [
        "4 lines imported into Kitchen remodel budget; its lines add up to 7,549.38. The budget is a draft in "
        "Costline: check it, then send it to QuickBooks from this page."
    ]


def token_of_preview(response) -> str:
    return response.wsgi_request.resolver_match.kwargs["token"]


def test_a_valid_xlsx_is_appended_to_a_budget_in_quickbooks_and_sent(
    login, accountant, company, project, names, budgets_plan, sent, django_capture_on_commit_callbacks
):
    budget = Budget.objects.create(
        company=company, project=project, qbo_id="9001", name="Kitchen budget", state=Budget.State.DRAFT, total=120
    )
    kept = BudgetLine.objects.create(
        budget=budget, sequence_id="1", item_qbo_id="13", quantity=10, unit_cost=12, amount=Decimal("120.00")
    )
    rows = [  # numbers and dates as spreadsheet cells, not text
        ["Item", "Materials:Cabinets", None, "Uppers", "Remodel", None, 4, 180.25, 721, date(2026, 5, 1)],
        ["Account", None, "Subcontractors", "Electrician", None, "North yard", None, None, 1234.56, None],
        [None, "Tile", None, "Backsplash", None, None, 0.1, 33.3333333, None, None],
    ]
    client = login(accountant)

    answer = upload(client, company, project, xlsx_file(rows))
    preview = client.get(answer.url)
    assert "3 ready" in preview.content.decode() and "and send them to QuickBooks" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(answer.url)

    assert done.status_code == 302
    lines = list(budget.lines.order_by("id"))
    assert [line.sequence_id for line in lines] == ["1", "", "", ""]  # the line QuickBooks has keeps its sequenceId
    assert [line.amount for line in lines] == [
        Decimal("120.00"),
        Decimal("721.00"),
        Decimal("1234.56"),
        Decimal("3.33"),
    ]
    assert lines[3].unit_cost == Decimal("33.3333333") and lines[3].quantity == Decimal("0.1")
    assert lines[1].date == date(2026, 5, 1) and lines[2].location_qbo_id == "401"
    assert lines[0].item_qbo_id == kept.item_qbo_id
    budget.refresh_from_db()
    assert budget.sync_state == SyncState.PENDING_PUSH
    assert OutboxItem.objects.filter(object_id=budget.pk).count() == 1 and len(sent.outbox) == 1
    assert "They are on their way to QuickBooks" in message_texts(done)[0]


# ---- the steps ----


def test_other_headers_go_through_matching_the_columns_first(
    login, project_manager, company, project, names, budgets_plan
):
    headers = ["Product/Service", "Qty", "Rate", "Notes", "Memo"]
    rows = [["Cabinets", "2", "180", "ignored", "Uppers"], ["Tile", "10", "12.5", "", "Floor"]]
    client = login(project_manager)

    answer = upload(client, company, project, csv_file(rows, headers=headers))
    assert answer.status_code == 302 and answer.url.endswith("/columns/")
    page = client.get(answer.url).content.decode()
    assert '<option value="0" selected>A: Product/Service</option>' in page  # guessed: Item
    assert '<option value="1" selected>B: Qty</option>' in page
    assert '<option value="2" selected>C: Rate</option>' in page  # Unit cost
    assert '<option value="4" selected>E: Memo</option>' in page  # Description
    assert '<option value="3" selected>' not in page  # Notes: not read

    twice = client.post(answer.url, {"item": "0", "quantity": "1", "unit_cost": "1"})
    assert twice.status_code == 400
    assert "Column B is chosen for both the quantity and the unit cost" in twice.content.decode()
    none = client.post(answer.url, {"description": "4"})
    assert "Choose the column that names the item, or the account" in none.content.decode()
    assert "Choose the column of amounts, or the columns of quantity and unit cost" in none.content.decode()

    chosen = client.post(answer.url, {"item": "0", "quantity": "1", "unit_cost": "2", "description": "4"})
    assert chosen.status_code == 302 and not chosen.url.endswith("/columns/")
    preview = client.get(chosen.url).content.decode()
    assert "2 ready" in preview and "Floor" in preview and "ignored" not in preview
    assert client.post(chosen.url).status_code == 302
    budget = Budget.objects.get(project=project)
    assert [(line.description, line.amount) for line in budget.lines.order_by("id")] == [
        ("Uppers", Decimal("360.00")),
        ("Floor", Decimal("125.00")),
    ]


def test_the_template_downloads_with_its_headers_and_the_company_names_and_imports_as_it_is(
    login, project_manager, company, project, names, budgets_plan
):
    client = login(project_manager)
    page = client.get(url("import", company, project)).content.decode()
    xlsx_url = url("import-template", company, project, "xlsx")
    assert xlsx_url in page and url("import-template", company, project, "csv") in page
    assert 'accept=".xlsx,.csv' in page and 'enctype="multipart/form-data"' in page

    answer = client.get(xlsx_url)
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = workbook["Budget lines"]
    assert workbook.sheetnames[0] == "Budget lines"
    assert [cell.value for cell in sheet[1]] == HEADERS
    items = [row[0] for row in workbook["Items"].iter_rows(min_row=2, values_only=True)]
    assert items == ["Install labour", "Materials:Cabinets", "Tile"]  # active ones only
    assert [row[0] for row in workbook["Locations"].iter_rows(min_row=2, values_only=True)] == ["North yard"]

    text = client.get(url("import-template", company, project, "csv")).content.decode()
    assert next(csv.reader(io.StringIO(text))) == HEADERS
    assert client.get(url("import-template", company, project, "pdf")).status_code == 404

    sheet.append(["Item", "Tile", None, "Floor", None, None, 10, 12, None, None])  # filled in, as an accountant would
    sheet.append(["Account", None, "Subcontractors", "Plumber", None, None, None, None, 900, None])
    out = io.BytesIO()
    workbook.save(out)
    filled = upload(client, company, project, SimpleUploadedFile("budget-lines.xlsx", out.getvalue()))
    assert "/columns/" not in filled.url
    assert client.post(filled.url).status_code == 302
    assert Budget.objects.get(project=project).total == Decimal("1020.00")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "is not an Excel workbook (.xlsx) or a CSV file"),
        (b"PK\x03\x04not really a zip", "broken.xlsx", "is not an Excel workbook (.xlsx) or a CSV file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "This is an older Excel workbook (.xls)"),
        (b"Item,Amount\n", "headers.csv", "The file has a header row but no lines under it."),
        (b"just some words\nand more\n", "notes.txt", "Costline found a single column in this file"),
        ("Item,Amount\n" + "Tile,1\n" * 501, "long.csv", "The file has more than 500 lines"),
        (b"Item,Amount\n" + b"Tile,1" + b" " * (2 * 1024 * 1024), "big.csv", "The file is larger than 2 MB"),
    ],
)
def test_a_file_that_cannot_be_read_is_told_in_words(login, project_manager, company, project, content, name, message):
    data = content.encode() if isinstance(content, str) else content
    answer = upload(login(project_manager), company, project, SimpleUploadedFile(name, data))
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not Budget.objects.exists()


def test_no_file_and_a_lost_import_are_told(login, project_manager, company, project):
    client = login(project_manager)
    assert "Choose a file to upload." in client.post(url("import", company, project)).content.decode()
    gone = client.get(url("import-preview", company, project, "no-such-import"))
    assert gone.status_code == 302 and gone.url == url("import", company, project)
    assert "This import is no longer kept" in message_texts(gone)[0]


def test_the_upload_keeps_its_csrf_check(project_manager, company, project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(project_manager)
    answer = client.post(url("import", company, project), {"file": csv_file([["Item", "Tile"]])})
    assert answer.status_code == 403


# ---- who may ----


def test_viewers_cannot_import_and_a_locked_budget_is_for_accountants(
    login, viewer, project_manager, accountant, company, project, names, budgets_plan
):
    rows = [["Item", "Tile", "", "Floor", "", "", "10", "12", "", ""]]
    for path in (url("import", company, project), url("import-template", company, project, "xlsx")):
        assert login(viewer).get(path).status_code == 403
    assert upload(login(viewer), company, project, csv_file(rows)).status_code == 403

    Budget.objects.create(company=company, project=project, qbo_id="77", name="Baseline", state=Budget.State.LOCKED)
    client = login(project_manager)
    page = client.get(url("import", company, project)).content.decode()
    assert "only accountants and admins change it" in page and 'type="file"' not in page
    assert upload(client, company, project, csv_file(rows)).status_code == 403
    assert upload(login(accountant), company, project, csv_file(rows)).status_code == 302


def test_a_budget_in_conflict_is_settled_before_importing(login, accountant, company, project, names, budgets_plan):
    client = login(accountant)
    answer = upload(client, company, project, csv_file([["Item", "Tile", "", "", "", "", "", "", "5", ""]]))
    Budget.objects.create(
        company=company, project=project, qbo_id="78", name="Kitchen budget", sync_state=SyncState.CONFLICT
    )
    page = client.get(url("import", company, project)).content.decode()
    assert "This budget changed here and in QuickBooks: resolve that on the budget page first" in page
    assert 'type="file"' not in page
    refused = client.post(answer.url)
    assert refused.status_code == 400 and "resolve that on the budget page first" in refused.content.decode()
    assert not BudgetLine.objects.exists() and not BudgetChange.objects.exists()


def test_another_companys_project_is_not_found(login, project_manager, company, other_company):
    theirs = Project.objects.create(company=other_company, qbo_id="9", name="Their porch")
    client = login(project_manager)
    assert client.get(url("import", company, theirs)).status_code == 404
    assert client.get(url("import-template", company, theirs, "csv")).status_code == 404
    assert client.get(url("import", other_company, theirs)).status_code == 404


def test_an_import_is_kept_for_its_own_project(login, project_manager, company, project, names):
    other = Project.objects.create(company=company, qbo_id="502", name="Bathroom")
    client = login(project_manager)
    answer = upload(client, company, project, csv_file([["Item", "Tile", "", "", "", "", "", "", "5", ""]]))
    token = token_of_preview(client.get(answer.url))
    assert client.post(url("import-preview", company, other, token)).status_code == 302
    assert not Budget.objects.exists()


def test_a_plan_without_budgets_keeps_the_lines_in_costline(login, project_manager, company, project, names):
    Connection.objects.create(company=company, capabilities={"budgets_api": False})
    client = login(project_manager)
    answer = upload(client, company, project, csv_file([["Item", "Tile", "", "", "", "", "2", "3", "", ""]]))
    done = client.post(answer.url)
    assert done.status_code == 302 and Budget.objects.get(project=project).lines.get().amount == Decimal("6.00")
    assert "has no project budgets, so the budget stays in Costline" in message_texts(done)[0]
    assert not OutboxItem.objects.exists()


# ---- reading ----


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234.5", Decimal("1234.5")),
        ("1,234.50", Decimal("1234.50")),
        ("$1,234.50", Decimal("1234.50")),
        (" $ 12 ", Decimal("12")),
        ("(1,234.50)", Decimal("-1234.50")),
        ("-$5", Decimal("-5")),
        (".5", Decimal("0.5")),
        ("1,000,000", Decimal("1000000")),
    ],
)
def test_numbers_are_read_as_people_write_them(text, value):
    assert imports.parse_number(text) == value


@pytest.mark.parametrize("text", ["ten", "1,5", "1.2.3", "12,34", "1e5", "$", "", "1,234.5.0", "--4"])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValueError):
        imports.parse_number(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (180.25, "180.25"),
        (0.1 + 0.2, "0.3"),  # a spreadsheet keeps 15 digits: the float's tail is not the cell's value
        (1234.5000000000002, "1234.5"),
        (33.3333333, "33.3333333"),
        (1e-05, "0.00001"),
        (4, "4"),
        (datetime(2026, 5, 1), "2026-05-01"),  # noqa: DTZ001  # a spreadsheet's date has no time zone
        (datetime(2026, 5, 1, 13, 30), "2026-05-01 13:30:00"),  # noqa: DTZ001
        (True, "TRUE"),
        (None, ""),
        ("  Tile ", "Tile"),
    ],
)
def test_cells_are_kept_as_the_spreadsheet_shows_them(value, text):
    assert imports.cell_text(value) == text


def test_csv_in_the_encodings_spreadsheets_save(company, project, names):
    for encoding, delimiter in (("utf-8-sig", ","), ("cp1252", ";"), ("utf-16", "\t")):
        text = delimiter.join(["Item", "Description", "Amount"]) + "\r\n"
        text += delimiter.join(["Tile", "Café floor", "12.50"]) + "\r\n"
        sheet = imports.read_file("lines.csv", text.encode(encoding))
        assert sheet.headers == ["Item", "Description", "Amount"], encoding
        assert sheet.rows == [(2, ["Tile", "Café floor", "12.50"])], encoding


@given(st.binary(max_size=3000) | st.binary(max_size=3000).map(lambda tail: b"PK\x03\x04" + tail))
def test_any_bytes_are_read_or_refused_in_words(data):
    try:
        imports.read_file("upload", data)
    except imports.FileError as error:
        assert str(error)


CELL = st.text(max_size=30) | st.sampled_from(["Tile", "1,234.50", "$5", "(3)", "2026-02-30", "Item", "Account", ""])


@given(st.lists(st.lists(CELL, min_size=10, max_size=10), min_size=1, max_size=8))
def test_any_rows_are_checked_without_failing(company, project, names, rows):
    sheet = imports.Sheet("lines.csv", "", 1, HEADERS, [(number, row) for number, row in enumerate(rows, start=2)])
    preview = imports.check(sheet, imports.guess_columns(sheet)[0], project)
    for row in preview.rows:
        assert row.ok == (row.line is not None)
        assert all(message.startswith(f"Row {row.number}") for message in row.errors)


# ---- against the live sandbox: the imported lines reach QuickBooks ----


@pytest.mark.django_db(transaction=True)  # the outbox row is committed with the lines
def test_imported_lines_reach_quickbooks_beside_the_lines_it_has(
    connected_company, project_setup, qb, sent, login, accountant
):
    from budgets.sync import adopt_budget, fetch_budget
    from quickbooks.sync.push import outbox_send
    from tests.budgets.test_budget_adopt import budget_in_quickbooks

    project = Project.objects.get(company=connected_company, qbo_id=project_setup["project"])
    budget = adopt_budget(connected_company, budget_in_quickbooks(qb, project.qbo_id, project_setup["item"]), qb)
    item = ReferenceRecord.objects.get(company=connected_company, entity="Item", qbo_id=project_setup["item"])
    account = ReferenceRecord.objects.filter(company=connected_company, entity="Account", active=True).first()
    rows = [
        ["Item", item.name.upper(), "", "Pantry", "", "", "2", "150", "", "2026-06-01"],
        ["", item.name, "", "Dumpster hire", "", "", "", "", "$1,050.25", ""],
        ["Account", "", account.fully_qualified_name, "Permits", "", "", "", "", "99.99", ""],
    ]
    client = login(accountant)

    answer = upload(client, connected_company, project, csv_file(rows))
    assert "3 ready" in client.get(answer.url).content.decode()
    assert client.post(answer.url).status_code == 302
    for pk in OutboxItem.objects.filter(status="pending").values_list("pk", flat=True):
        assert outbox_send(item_id=pk) == "sent", OutboxItem.objects.get(pk=pk).last_error

    remote = fetch_budget(qb, budget.qbo_id)["budgetDetails"]
    assert [(line["sequenceId"], line["description"], line["amount"]) for line in remote] == [
        ("1", None, Decimal("720.00")),  # the line QuickBooks had, addressed by its sequenceId: not doubled
        ("2", "Pantry", Decimal("300.00")),
        ("3", "Dumpster hire", Decimal("1050.25")),
        ("4", "Permits", Decimal("99.99")),
    ]
    assert remote[1]["date"][:10] == "2026-06-01" and remote[2]["itemId"] == item.qbo_id
    assert (remote[3]["accountId"], remote[3]["itemId"]) == (account.qbo_id, None)  # an account line
    budget.refresh_from_db()
    assert budget.total == Decimal("2170.24") and budget.sync_state == SyncState.SYNCED
    assert sorted(budget.lines.values_list("sequence_id", flat=True)) == ["1", "2", "3", "4"]
    assert budget.lines.get(sequence_id="4").line_type == BudgetLine.Type.ACCOUNT
