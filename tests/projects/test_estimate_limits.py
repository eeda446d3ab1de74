"""The estimate form's limits: every number bounded to what QuickBooks and the database hold, Intuit's text lengths,
tampered posts, the largest form, zero and negative totals, and deleting a draft."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.estimates.services import estimate_save
from projects.models import Estimate
from quickbooks.models import OutboxItem
from tests.projects.test_estimate_form import (
    THREE_LINES,
    form_data,
    line_errors,
    new_url,
    nothing_saved,
    post_new,
    project,
    references,
)

pytestmark = pytest.mark.django_db
__all__ = ["project", "references"]  # fixtures

CABINETS = THREE_LINES[0]  # item 1, 4 x 250, cost 180


def test_a_line_too_large_for_quickbooks_is_refused_on_its_line_and_nothing_is_saved(
    login, project_manager, company, project, references
):
    # The case: 100,000 x 100,000,000 was saved and then broke every page that read it back.
    line = {**CABINETS, "qty": "100000", "unit_price": "100000000", "unit_cost": ""}
    response = post_new(login(project_manager), company, project, [line], action="save")

    assert response.status_code == 400
    assert line_errors(response, 0) == {
        "qty": [
            "This line comes to 10,000,000,000,000.00: at most 9,999,999,999.99 goes to QuickBooks. "
            "Lower the quantity or the price."
        ]
    }
    assert nothing_saved()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("unit_price", "10000000000", "Unit price must be between -9,999,999,999.99 and 9,999,999,999.99."),
        ("unit_cost", "10000000000", "Unit cost can be at most 9,999,999,999.99."),
        ("unit_cost", "-1", "Unit cost can't be negative."),
        ("qty", "10000000", "Quantity can be at most 9,999,999."),
        ("qty", "1.123456789", "Quantity takes at most 7 decimal places."),
        ("qty", "1" * 30, "Quantity can be at most 9,999,999."),  # once, though it breaks the digits limit too
    ],
)
def test_each_number_is_bounded_with_a_message_in_words(
    login, accountant, company, project, references, field, typed, message
):
    response = post_new(login(accountant), company, project, [{**CABINETS, field: typed}])

    assert response.status_code == 400
    assert line_errors(response, 0) == {field: [message]}
    assert nothing_saved()


def test_an_estimate_whose_lines_sum_past_the_bound_is_refused_as_a_whole(
    login, accountant, company, project, references
):
    big = {**CABINETS, "qty": "1", "unit_price": "6000000000", "unit_cost": ""}
    response = post_new(login(accountant), company, project, [big, big])

    assert response.status_code == 400
    assert response.context["formset"].non_form_errors() == [
        "The estimate comes to 12,000,000,000.00: at most 9,999,999,999.99 goes to QuickBooks. "
        "Lower the quantity or the price."
    ]
    assert nothing_saved()


def test_the_service_refuses_an_amount_past_the_bound_whoever_calls_it(company, project, accountant):
    estimate = Estimate(company=company, project=project)
    line = {"line_id": "", "item_qbo_id": "1", "qty": Decimal("100000"), "unit_price": Decimal("100000000")}
    with pytest.raises(ValidationError, match="Line 1 comes to 10,000,000,000,000.00"):
        estimate_save(estimate=estimate, lines=[line], by=accountant.memberships.get(), send=False)
    assert nothing_saved()


@pytest.mark.parametrize(
    ("where", "field", "limit"),
    [("header", "private_note", 4000), ("header", "customer_memo", 1000), ("line", "description", 4000)],
)
def test_text_longer_than_quickbooks_takes_is_refused_with_the_limit(
    login, accountant, company, project, references, where, field, limit
):
    text = "x" * (limit + 1)
    lines = [{**CABINETS, field: text}] if where == "line" else [CABINETS]
    header = {field: text} if where == "header" else {}
    response = post_new(login(accountant), company, project, lines, **header)

    assert response.status_code == 400
    errors = line_errors(response, 0) if where == "line" else response.context["form"].errors
    assert errors == {field: [f"QuickBooks takes at most {limit:,} characters here."]}
    assert text in response.content.decode(), "what was typed stays on the page"
    assert nothing_saved()


@pytest.mark.parametrize("rows", ["abc", "-5", "99999999999999999999"])
def test_a_tampered_line_count_with_add_line_redraws_the_form(login, accountant, company, project, references, rows):
    data = {**form_data([CABINETS], action="add_line"), "lines-TOTAL_FORMS": rows}
    response = login(accountant).post(new_url(company, project), data)

    assert response.status_code == 200
    assert len(response.context["formset"].forms) <= 200


def test_a_tampered_line_count_on_save_is_a_400_that_says_so(login, accountant, company, project, references):
    data = {**form_data([CABINETS]), "lines-TOTAL_FORMS": "abc"}
    response = login(accountant).post(new_url(company, project), data)

    assert response.status_code == 400
    assert "line count was missing or changed" in response.content.decode()
    assert nothing_saved()


def test_the_largest_estimate_the_form_allows_is_saved(login, accountant, company, project, references):
    line = {**CABINETS, "description": "Uppers, " + "long description " * 200}
    response = post_new(login(accountant), company, project, [line] * 200, action="save")

    assert response.status_code == 302, response.context and response.context["formset"].non_form_errors()
    assert Estimate.objects.get().lines.count() == 200


def test_one_line_more_than_the_largest_is_refused_in_words(login, accountant, company, project, references):
    response = post_new(login(accountant), company, project, [CABINETS] * 201, action="save")

    assert response.status_code == 400
    assert "An estimate takes at most 200 lines" in response.content.decode()
    assert nothing_saved()


@pytest.mark.parametrize(("price", "total"), [("0", "0.00"), ("-250", "-1000.00")])
def test_a_zero_or_negative_total_is_saved_only_once_confirmed(
    login, accountant, company, project, references, price, total
):
    client = login(accountant)
    line = {**CABINETS, "unit_price": price}
    response = post_new(client, company, project, [line], action="save")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Tick the box to confirm" in html
    assert f'name="confirm_total" value="{total}"' in html
    assert nothing_saved()

    response = post_new(client, company, project, [line], action="save", confirm_total=total)
    assert response.status_code == 302
    assert Estimate.objects.get().total_amount == Decimal(total)


def test_a_confirmation_of_another_total_does_not_count(login, accountant, company, project, references):
    line = {**CABINETS, "unit_price": "-250"}
    response = post_new(login(accountant), company, project, [line], action="save", confirm_total="0.00")

    assert response.status_code == 400
    assert nothing_saved()


def _draft(client, company, project):
    assert post_new(client, company, project, [CABINETS], action="save").status_code == 302
    return Estimate.objects.get()


def delete_url(company, project, estimate):
    return reverse("projects:estimate-delete", args=[company.pk, project.pk, estimate.pk])


def test_whoever_may_edit_a_draft_may_delete_it_after_a_confirmation(
    login, project_manager, company, project, references
):
    client = login(project_manager)
    draft = _draft(client, company, project)
    detail = client.get(reverse("projects:estimate-detail", args=[company.pk, project.pk, draft.pk]))
    assert delete_url(company, project, draft) in detail.content.decode()

    confirm = client.get(delete_url(company, project, draft))
    assert confirm.status_code == 200 and "This cannot be undone" in confirm.content.decode()
    assert Estimate.objects.exists(), "asking deletes nothing"

    response = client.post(delete_url(company, project, draft))
    assert response.status_code == 302
    assert nothing_saved()


def test_a_viewer_may_not_delete_a_draft(login, project_manager, viewer, company, project, references):
    draft = _draft(login(project_manager), company, project)
    client = login(viewer)
    assert client.post(delete_url(company, project, draft)).status_code == 403
    assert Estimate.objects.exists()


def test_an_estimate_in_quickbooks_is_not_deleted_from_here(login, admin_user, company, project, references):
    client = login(admin_user)
    estimate = _draft(client, company, project)
    Estimate.objects.filter(pk=estimate.pk).update(qbo_id="130")
    assert client.post(delete_url(company, project, estimate)).status_code == 403
    assert Estimate.objects.exists() and not OutboxItem.objects.exists()
