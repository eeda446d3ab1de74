"""The estimate form: per-line validation that keeps what was typed, and totals computed exactly on the server."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.documents.lines import line_totals as estimate_totals
from projects.documents.lines import markup_percent, priced
from projects.models import Estimate, EstimateLine, Project
from quickbooks.models import OutboxItem, ReferenceRecord

pytestmark = pytest.mark.django_db

BLANK_LINE = {
    "line_id": "",
    "item": "",
    "description": "",
    "qty": "",
    "unit_price": "",
    "unit_cost": "",
    "tax_code": "NON",
    "class_qbo_id": "",
}


@pytest.fixture
def project(company):
    return Project.objects.create(
        company=company, qbo_id="16", name="Kitchen Remodel", customer_qbo_id="7", customer_name="Okafor Residence"
    )


def reference(company, entity, qbo_id, name, active=True, **document):
    return ReferenceRecord.objects.create(
        company=company,
        entity=entity,
        qbo_id=qbo_id,
        name=name,
        active=active,
        qbo_document={"Id": qbo_id, "Name": name, **document},
    )


@pytest.fixture
def references(company):
    """Cabinets (250 / cost 180), Labor (85.50 / cost 40), an inactive item, a class and a location."""
    reference(company, "Item", "1", "Cabinets", UnitPrice=Decimal("250"), PurchaseCost=Decimal("180"))
    reference(company, "Item", "2", "Labor", UnitPrice=Decimal("85.50"), PurchaseCost=Decimal("40"))
    reference(company, "Item", "3", "Tile (discontinued)", active=False, UnitPrice=Decimal("12"))
    reference(company, "Class", "100", "Remodel")
    reference(company, "Department", "200", "North Yard")


def form_data(lines: list[dict], action="send", **header) -> dict:
    """What the browser posts: the header, the formset's management form and one block of fields a line."""
    data = {
        "version": "",
        "txn_date": "2026-05-01",
        "expiration_date": "",
        "class_qbo_id": "",
        "department_qbo_id": "",
        "private_note": "",
        "customer_memo": "",
        "action": action,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        **header,
    }
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{name}": value for name, value in {**BLANK_LINE, **line}.items()})
    return data


THREE_LINES = [
    {"item": "1", "description": "Uppers", "qty": "4", "unit_price": "250", "unit_cost": "180"},
    {"item": "2", "description": "Install", "qty": "2.5", "unit_price": "85.50", "unit_cost": "40"},
    {"item": "1", "description": "Odd lot", "qty": "3", "unit_price": "33.335", "unit_cost": ""},
]


def new_url(company, project):
    return reverse("projects:estimate-new", args=[company.pk, project.pk])


def post_new(client, company, project, lines, **header):
    return client.post(new_url(company, project), form_data(lines, **header))


def line_errors(response, index) -> dict:
    return response.context["formset"].forms[index].errors


def nothing_saved():
    return not Estimate.objects.exists() and not EstimateLine.objects.exists() and not OutboxItem.objects.exists()


def test_a_quantity_that_is_not_a_number_is_reported_on_its_line_and_everything_typed_stays(
    login, accountant, company, project, references
):
    lines = [THREE_LINES[0], {**THREE_LINES[1], "qty": "two and a half"}]
    response = post_new(login(accountant), company, project, lines, private_note="Call before delivery")

    assert response.status_code == 400
    assert line_errors(response, 1) == {"qty": ["Quantity must be a number, like 4 or 2.5."]}
    assert line_errors(response, 0) == {}
    html = response.content.decode()
    assert 'value="two and a half"' in html and 'value="Uppers"' in html and "Call before delivery" in html
    assert "Everything you typed is still here" in html
    assert nothing_saved()


def test_a_unit_price_that_is_not_a_number_is_reported_on_its_line(login, accountant, company, project, references):
    response = post_new(login(accountant), company, project, [{**THREE_LINES[0], "unit_price": "2S0"}])

    assert line_errors(response, 0) == {"unit_price": ["Unit price must be a number, like 250 or 12.50."]}
    assert nothing_saved()


def test_a_negative_quantity_is_refused_on_its_line(login, accountant, company, project, references):
    response = post_new(login(accountant), company, project, [THREE_LINES[0], {**THREE_LINES[1], "qty": "-2"}])

    assert line_errors(response, 1) == {"qty": ["Quantity can't be negative."]}
    assert nothing_saved()


def test_an_inactive_item_is_refused_with_its_name_and_the_fix(login, accountant, company, project, references):
    response = post_new(login(accountant), company, project, [{**THREE_LINES[0], "item": "3"}])

    assert line_errors(response, 0)["item"] == [
        "Tile (discontinued) is inactive in QuickBooks: choose another item, or make it active in QuickBooks "
        "and sync again."
    ]
    assert nothing_saved()


def test_inactive_items_are_not_offered_on_a_new_estimate(login, accountant, company, project, references):
    html = login(accountant).get(new_url(company, project)).content.decode()

    assert "Cabinets" in html and "Labor" in html and "Tile (discontinued)" not in html


def test_a_line_without_an_item_asks_for_one(login, accountant, company, project, references):
    response = post_new(login(accountant), company, project, [{"description": "Something", "qty": "1"}])

    assert line_errors(response, 0) == {"item": ["Choose an item for this line, or remove the line."]}
    assert nothing_saved()


def test_an_estimate_without_lines_is_refused(login, accountant, company, project, references):
    response = post_new(login(accountant), company, project, [{}, {}])

    assert response.status_code == 400
    assert response.context["formset"].non_form_errors() == [
        "Add at least one line: an item with its quantity and unit price."
    ]
    assert nothing_saved()


def test_an_expiration_before_the_estimate_date_is_refused(login, accountant, company, project, references):
    response = post_new(login(accountant), company, project, THREE_LINES, expiration_date="2026-04-30")

    errors = response.context["form"].errors
    assert errors == {"expiration_date": ["The expiration date is before the estimate's date."]}
    assert nothing_saved()


def test_removed_and_blank_lines_are_not_saved(login, accountant, company, project, references):
    lines = [THREE_LINES[0], {**THREE_LINES[1], "DELETE": "on"}, {}]
    post_new(login(accountant), company, project, lines)

    estimate = Estimate.objects.get()
    assert list(estimate.lines.values_list("description", flat=True)) == ["Uppers"]
    assert estimate.total_amount == Decimal("1000.00")


def test_the_server_computes_each_line_and_the_totals_exactly(login, accountant, company, project, references):
    post_new(login(accountant), company, project, THREE_LINES)

    estimate = Estimate.objects.get()
    lines = list(estimate.lines.order_by("line_num"))
    assert [line.amount for line in lines] == [Decimal("1000.00"), Decimal("213.75"), Decimal("100.01")]  # half up
    assert [line.cost_amount for line in lines] == [Decimal("720.00"), Decimal("100.00"), Decimal("540.00")]
    assert [line.line_num for line in lines] == [1, 2, 3]
    assert estimate.total_amount == Decimal("1313.76")
    assert estimate.total_cost_amount == Decimal("1360.00")  # the empty unit cost is the item's 180


def test_an_empty_unit_price_and_cost_are_the_items_own(login, accountant, company, project, references):
    post_new(login(accountant), company, project, [{"item": "2", "qty": "3"}])

    line = EstimateLine.objects.get()
    assert (line.unit_price, line.unit_cost) == (Decimal("85.50"), Decimal("40"))
    assert (line.amount, line.cost_amount) == (Decimal("256.50"), Decimal("120.00"))


def test_the_form_shown_again_carries_the_server_figures_of_the_good_lines(
    login, accountant, company, project, references
):
    response = post_new(login(accountant), company, project, [THREE_LINES[0], {**THREE_LINES[1], "qty": "x"}])

    assert response.context["totals"].amount == Decimal("1000.00")
    assert "1,000.00" in response.content.decode() and "38.9%" in response.content.decode()  # (1000-720)/720


def test_add_line_without_the_script_shows_one_more_row_and_keeps_what_was_typed(
    login, accountant, company, project, references
):
    response = post_new(login(accountant), company, project, [THREE_LINES[0]], action="add_line")

    assert len(response.context["formset"].forms) == 2
    assert 'value="Uppers"' in response.content.decode()
    assert nothing_saved()


def test_markup_and_totals_are_decimal_exact():
    lines = [
        priced({"qty": Decimal("0.1"), "unit_price": Decimal("0.2"), "unit_cost": Decimal("0.1")}),
        priced({"qty": Decimal("3"), "unit_price": Decimal("0.1"), "unit_cost": None}),
    ]

    assert [line["amount"] for line in lines] == [Decimal("0.02"), Decimal("0.30")]
    totals = estimate_totals(lines)
    assert (totals.amount, totals.cost) == (Decimal("0.32"), Decimal("0.01"))
    assert totals.markup == Decimal("3100.0")
    assert markup_percent(Decimal("100"), None) is None and markup_percent(Decimal("1"), Decimal("3")) == Decimal(
        "-66.7"
    )
