"""Cost-to-complete forecasts: a project manager enters one (for the project, or line by line against its budget) with
the reasons; an accountant marks it reviewed or returns it with a note; the estimate at completion takes the latest
reviewed forecast as of a date. Refusals in words with what was typed kept; roles; another company's data unseen;
one query for the whole company's estimates."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets import forecasts
from budgets.forecasts import enter_forecast, forecast_for, return_forecast, review_forecast, reviewed_estimates
from budgets.models import Budget, BudgetLine, CostForecast, CostForecastLine
from changeorders.models import ChangeOrder
from projects.models import LedgerLine, Project, TxnStatus
from quickbooks.models import Membership, ReferenceRecord
from reports.figures import change_order_cost

pytestmark = pytest.mark.django_db

SEPTEMBER, OCTOBER, NOVEMBER = date(2025, 9, 30), date(2025, 10, 31), date(2025, 11, 30)


def make_project(company, qbo_id="16", name="Kitchen Remodel") -> Project:
    return Project.objects.create(company=company, qbo_id=qbo_id, name=name, customer_name="Okafor Residence")


def cost(company, project_qbo_id, amount, on, kind=LedgerLine.Kind.COST, n=[0]):  # noqa: B006 - unique line ids
    n[0] += 1
    return LedgerLine.objects.create(
        company=company,
        project_qbo_id=project_qbo_id,
        tagged_by="project_ref",
        txn_type="Bill",
        txn_qbo_id=str(n[0]),
        line_id="1",
        kind=kind,
        txn_date=on,
        amount=Decimal(amount),
    )


def membership(user) -> Membership:
    return Membership.objects.get(user=user)


def url(company, project) -> str:
    return reverse("budgets:forecast", args=[company.pk, project.pk])


def review_url(company, project, forecast) -> str:
    return reverse("budgets:forecast-review", args=[company.pk, project.pk, forecast.pk])


@pytest.fixture
def kitchen(company) -> Project:
    project = make_project(company)
    cost(company, "16", "12000.00", date(2025, 9, 15))
    cost(company, "16", "3000.00", OCTOBER)  # on the period end: in it
    cost(company, "16", "999.00", date(2025, 11, 1))  # a bill dated after October: not in October's cost to date
    cost(company, "16", "5000.00", date(2025, 10, 2), kind=LedgerLine.Kind.COMMITMENT)  # an open PO is no cost
    cost(company, "16", "40000.00", date(2025, 10, 2), kind=LedgerLine.Kind.REVENUE)
    cost(company, "99", "777.00", date(2025, 10, 2))  # another project's
    return project


@pytest.fixture
def budgeted(company, kitchen) -> Budget:
    """A budget of two lines in QuickBooks, 30,000.00 in all, and a signed change order adding 2,000.00 of cost."""
    budget = Budget.objects.create(
        company=company, project=kitchen, project_qbo_id="16", qbo_id="b1", name="Kitchen budget", total=30000
    )
    ReferenceRecord.objects.create(company=company, entity="Item", qbo_id="5", name="Cabinets", active=True)
    ReferenceRecord.objects.create(company=company, entity="Account", qbo_id="60", name="Job Materials", active=True)
    BudgetLine.objects.create(budget=budget, sequence_id="1", item_qbo_id="5", amount=Decimal("18000.00"))
    BudgetLine.objects.create(budget=budget, sequence_id="2", line_type="ACCOUNT", account_qbo_id="60", amount=12000)
    ChangeOrder.objects.create(
        company=company, qbo_id="co1", project_qbo_id="16", booked_status=TxnStatus.ACCEPTED, booked_cost=2000
    )
    return budget


@pytest.fixture
def counting_change_orders(monkeypatch):
    """The counter a higher layer hands over at start-up (reports' own rule), here for the test only."""
    monkeypatch.setattr(forecasts, "_change_order_cost", [change_order_cost])


def entered(project, by, period_end=OCTOBER, amount="10000.00", **fields) -> CostForecast:
    return enter_forecast(
        project=project,
        period_end=period_end,
        comment=fields.pop("comment", "Cabinets and finishes left."),
        by=membership(by),
        cost_to_complete=Decimal(amount),
        **fields,
    )


# ---- entering ----


def test_a_project_manager_enters_a_forecast_for_a_month_end(login, company, kitchen, project_manager):
    client = login(project_manager)
    page = client.get(url(company, kitchen), {"period": "2025-10-31"}).content.decode()
    assert "15,000.00" in page  # cost to date as of October 31: 12,000 + 3,000, the November bill not in it
    assert "Send for review" in page and "Mark reviewed" not in page

    response = client.post(
        url(company, kitchen),
        {"period_end": "2025-10-31", "cost_to_complete": "8500.50", "comment": "Tiling and the last fixtures."},
    )

    assert response.status_code == 302 and response.url.endswith("?period=2025-10-31")
    forecast = CostForecast.objects.get()
    assert forecast.company == company and forecast.project == kitchen and forecast.period_end == OCTOBER
    assert forecast.cost_to_date == Decimal("15000.00")
    assert forecast.cost_to_complete == Decimal("8500.50")
    assert forecast.estimated_cost_at_completion == Decimal("23500.50")
    assert forecast.status == CostForecast.Status.SUBMITTED and forecast.entered_by == project_manager
    assert forecast.comment == "Tiling and the last fixtures."
    page = client.get(response.url).content.decode()
    assert "sent for review" in page and "23,500.50" in page and "Waiting for review" in page


def test_a_bill_dated_after_the_period_end_is_not_in_its_cost_to_date(company, kitchen, project_manager):
    assert forecasts.cost_to_date(kitchen, OCTOBER) == Decimal("15000.00")
    assert forecasts.cost_to_date(kitchen, NOVEMBER) == Decimal("15999.00")
    assert forecasts.cost_to_date(kitchen, date(2025, 10, 30)) == Decimal("12000.00")

    october = entered(kitchen, project_manager, OCTOBER, "1000.00")
    november = entered(kitchen, project_manager, NOVEMBER, "1000.00")
    assert (october.cost_to_date, november.cost_to_date) == (Decimal("15000.00"), Decimal("15999.00"))
    cost(company, "16", "500.00", date(2025, 10, 20))  # a late bill inside October, after the forecast
    october.refresh_from_db()
    assert october.estimated_cost_at_completion == Decimal("16000.00")  # kept as it was when entered


def test_cost_to_date_of_a_project_not_yet_in_quickbooks_is_by_its_key(company):
    local = Project.objects.create(company=company, qbo_id="", name="Not yet sent")
    LedgerLine.objects.create(
        company=company, project=local, tagged_by="project_ref", txn_type="Bill", txn_qbo_id="x", kind="cost",
        txn_date=SEPTEMBER, amount=Decimal("50.00"),
    )  # fmt: skip
    assert forecasts.cost_to_date(local, OCTOBER) == Decimal("50.00")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"comment": "  "}, "Say why: a forecast needs a comment"),
        ({"cost_to_complete": "-5"}, "Cost to complete can&#x27;t be negative."),
        ({"cost_to_complete": "ten grand"}, "Cost to complete must be a number, like 18500 or 950.25."),
        ({"cost_to_complete": "10.005"}, "is money: to the cent, at most 2 decimal places."),
        ({"cost_to_complete": ""}, "Enter the cost to complete: 0 when nothing is left to spend."),
        ({"cost_to_complete": "99999999999"}, "can be at most 9,999,999,999.99."),
        ({"period_end": "2025-10-15"}, "A forecast is for a month end: 2025-10-31 is the end of that month."),
        ({"period_end": "31/10/2025"}, "Enter the period end as a date, like 2026-11-30."),
        ({"period_end": ""}, "Enter the period end: the last day of the month the forecast is for."),
    ],
)
def test_bad_input_is_refused_in_words_and_what_was_typed_stays(
    login, company, kitchen, project_manager, fields, message
):
    typed = {"period_end": "2025-10-31", "cost_to_complete": "4200.00", "comment": "Roofing <left> to do.", **fields}

    response = login(project_manager).post(url(company, kitchen), typed)

    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert not CostForecast.objects.exists()
    for name, value in typed.items():
        if value.strip():
            assert f'value="{value}"' in page or "Roofing &lt;left&gt; to do.</textarea>" in page, name


def test_a_month_that_has_not_started_takes_no_forecast(login, company, kitchen, project_manager):
    next_month_end = forecasts.month_end(forecasts.month_end(timezone.localdate()) + timedelta(days=1))
    data = {"period_end": next_month_end.isoformat(), "cost_to_complete": "1", "comment": "Early."}

    response = login(project_manager).post(url(company, kitchen), data)

    assert response.status_code == 400 and "a month that has not started yet" in response.content.decode()
    this_month = forecasts.month_end(timezone.localdate())
    assert entered(kitchen, project_manager, this_month).period_end == this_month  # the month under way is fine


def test_periods():
    assert forecasts.month_end(date(2024, 2, 3)) == date(2024, 2, 29)
    assert forecasts.month_end(date(2025, 12, 31)) == date(2025, 12, 31)
    assert forecasts.last_month_end(date(2026, 1, 15)) == date(2025, 12, 31)
    assert forecasts.last_month_end(date(2026, 3, 1)) == date(2026, 2, 28)


def test_the_page_defaults_to_the_last_month_end_and_says_when_a_date_is_not_one(login, company, kitchen, viewer):
    client = login(viewer)
    page = client.get(url(company, kitchen)).content.decode()
    assert f"As of {forecasts.last_month_end().isoformat()}" in page
    page = client.get(url(company, kitchen), {"period": "soon"}).content.decode()
    assert "soon is not a date" in page
    assert "As of 2025-10-31" in client.get(url(company, kitchen), {"period": "2025-10-12"}).content.decode()


# ---- line by line ----


def test_with_a_budget_the_forecast_goes_line_by_line_and_adds_up(
    login, company, kitchen, budgeted, project_manager, counting_change_orders
):
    client = login(project_manager)
    first, second = budgeted.lines.order_by("id")
    page = client.get(url(company, kitchen), {"period": "2025-10-31"}).content.decode()
    assert "Cabinets" in page and "Job Materials" in page
    assert "30,000.00" in page and "2,000.00" in page and "32,000.00" in page  # budget, change orders, revised
    assert "the revised budget: no reviewed forecast yet" in page

    data = {"period_end": "2025-10-31", "cost_to_complete": "", "comment": "By line."}
    response = client.post(url(company, kitchen), {**data, f"line-{first.pk}": "9000", f"line-{second.pk}": "0.50"})

    assert response.status_code == 302
    forecast = CostForecast.objects.get()
    assert forecast.cost_to_complete == Decimal("9000.50")
    assert forecast.estimated_cost_at_completion == Decimal("24000.50")
    lines = list(CostForecastLine.objects.filter(forecast=forecast).order_by("id"))
    assert [(line.budget_line, line.label, line.budget_amount, line.cost_to_complete) for line in lines] == [
        (first, "Cabinets", Decimal("18000.00"), Decimal("9000.00")),
        (second, "Job Materials", Decimal("12000.00"), Decimal("0.50")),
    ]
    assert "By budget line" in client.get(url(company, kitchen), {"period": "2025-10-31"}).content.decode()


def test_line_by_line_every_line_is_needed_and_the_total_must_agree(login, company, kitchen, budgeted, project_manager):
    client = login(project_manager)
    first, second = budgeted.lines.order_by("id")
    data = {"period_end": "2025-10-31", "cost_to_complete": "", "comment": "By line."}

    missing = client.post(url(company, kitchen), {**data, f"line-{first.pk}": "9000"})
    assert missing.status_code == 400
    assert "Enter the cost to complete of Job Materials: 0 when nothing is left to spend." in missing.content.decode()
    assert 'value="9000"' in missing.content.decode()

    both = {**data, f"line-{first.pk}": "9000", f"line-{second.pk}": "1000", "cost_to_complete": "9500"}
    disagree = client.post(url(company, kitchen), both)
    assert disagree.status_code == 400
    assert "The lines add up to 10,000.00, not the 9,500.00 given for the project" in disagree.content.decode()
    assert not CostForecast.objects.exists()

    one_figure = client.post(url(company, kitchen), {**data, "cost_to_complete": "7000"})  # no lines: the project's
    assert one_figure.status_code == 302
    assert CostForecast.objects.get().cost_to_complete == 7000 and not CostForecastLine.objects.exists()


def test_a_line_no_longer_in_the_budget_is_said(company, kitchen, budgeted, project_manager):
    first, second = budgeted.lines.order_by("id")
    with pytest.raises(Exception, match="The budget changed while you were typing"):
        entered(kitchen, project_manager, lines={first.pk: Decimal(1), second.pk: Decimal(1), 12345: Decimal(1)})


# ---- review ----


def test_an_accountant_marks_a_forecast_reviewed_and_it_becomes_the_estimate(
    login, company, kitchen, budgeted, project_manager, accountant, counting_change_orders
):
    forecast = entered(kitchen, project_manager, amount="10000.00")
    client = login(accountant)
    page = client.get(url(company, kitchen), {"period": "2025-10-31"}).content.decode()
    assert "Waiting for your review" in page and "Mark reviewed" in page and "Return with a note" in page
    assert forecast_for(kitchen, OCTOBER) is None

    response = client.post(
        review_url(company, kitchen, forecast), {"decision": "review", "note": "Agreed.", "period": "2025-10-31"}
    )

    assert response.status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == CostForecast.Status.REVIEWED and forecast.reviewed_by == accountant
    assert forecast.reviewed_at is not None and forecast.review_note == "Agreed."
    assert forecast_for(kitchen, OCTOBER) == forecast and forecast_for(kitchen, NOVEMBER) == forecast
    assert forecast_for(kitchen, SEPTEMBER) is None
    page = client.get(response.url).content.decode()
    assert "from 2025-10-31 the estimated cost at completion is 25,000.00" in page
    assert "the forecast for 2025-10-31, reviewed by" in page and "Waiting for your review" not in page

    again = client.post(review_url(company, kitchen, forecast), {"decision": "return", "note": "No."}, follow=True)
    assert "This forecast was already reviewed" in again.content.decode()
    forecast.refresh_from_db()
    assert forecast.status == CostForecast.Status.REVIEWED


def test_returning_needs_a_note_and_the_forecast_counts_nowhere(login, company, kitchen, project_manager, accountant):
    forecast = entered(kitchen, project_manager)
    client = login(accountant)

    no_note = client.post(review_url(company, kitchen, forecast), {"decision": "return", "note": " "}, follow=True)
    assert "returning a forecast needs a note" in no_note.content.decode()
    forecast.refresh_from_db()
    assert forecast.status == CostForecast.Status.SUBMITTED

    client.post(review_url(company, kitchen, forecast), {"decision": "return", "note": "Where is the tiling quote?"})
    forecast.refresh_from_db()
    assert forecast.status == CostForecast.Status.RETURNED and forecast.review_note == "Where is the tiling quote?"
    assert forecast.reviewed_by == accountant
    assert forecast_for(kitchen, OCTOBER) is None and reviewed_estimates(company, OCTOBER) == {}
    page = client.get(url(company, kitchen), {"period": "2025-10-31"}).content.decode()
    assert "Returned" in page and "Where is the tiling quote?" in page


def test_a_newer_forecast_supersedes_the_earlier_one_of_its_period_and_history_keeps_both(
    login, company, kitchen, project_manager, accountant
):
    first = entered(kitchen, project_manager, amount="10000.00")
    review_forecast(forecast_id=first.pk, project=kitchen, by=membership(accountant))
    second = entered(kitchen, project_manager, amount="14000.00", comment="The tiler's quote came in higher.")
    third = entered(kitchen, project_manager, amount="13000.00", comment="Negotiated down.")

    with pytest.raises(Exception, match="A newer forecast for 2025-10-31 was entered since"):
        review_forecast(forecast_id=second.pk, project=kitchen, by=membership(accountant))
    assert reviewed_estimates(company, OCTOBER) == {kitchen.pk: Decimal("25000.00")}  # the reviewed one counts still

    review_forecast(forecast_id=third.pk, project=kitchen, by=membership(accountant))
    assert reviewed_estimates(company, OCTOBER) == {kitchen.pk: Decimal("28000.00")}

    [period] = forecasts.history(kitchen)
    assert [(f.pk, f.superseded) for f in period.forecasts] == [(third.pk, False), (second.pk, True), (first.pk, True)]
    page = login(project_manager).get(url(company, kitchen), {"period": "2025-10-31"}).content.decode()
    assert page.count('data-status="superseded"') == 2 and "replaced by a later forecast" in page
    assert CostForecast.objects.count() == 3


# ---- who may ----


def test_a_viewer_reads_and_may_neither_enter_nor_review(login, company, kitchen, project_manager, viewer):
    forecast = entered(kitchen, project_manager)
    client = login(viewer)

    page = client.get(url(company, kitchen), {"period": "2025-10-31"})
    assert page.status_code == 200
    assert "Send for review" not in page.content.decode() and "Mark reviewed" not in page.content.decode()
    assert "Cabinets and finishes left." in page.content.decode()
    data = {"period_end": "2025-10-31", "cost_to_complete": "1", "comment": "x"}
    assert client.post(url(company, kitchen), data).status_code == 403
    assert client.post(review_url(company, kitchen, forecast), {"decision": "review"}).status_code == 403
    assert CostForecast.objects.count() == 1


def test_a_project_manager_may_not_review(login, company, kitchen, project_manager):
    forecast = entered(kitchen, project_manager)
    client = login(project_manager)

    assert "Mark reviewed" not in client.get(url(company, kitchen), {"period": "2025-10-31"}).content.decode()
    assert client.post(review_url(company, kitchen, forecast), {"decision": "review"}).status_code == 403
    forecast.refresh_from_db()
    assert forecast.status == CostForecast.Status.SUBMITTED
    with pytest.raises(Exception, match="needs the accountant role"):
        review_forecast(forecast_id=forecast.pk, project=kitchen, by=membership(project_manager))


def test_an_admin_reviews_too(login, company, kitchen, project_manager, admin_user):
    forecast = entered(kitchen, project_manager)
    login(admin_user).post(review_url(company, kitchen, forecast), {"decision": "review"})
    forecast.refresh_from_db()
    assert forecast.status == CostForecast.Status.REVIEWED


def test_another_companys_projects_and_forecasts_are_not_found(
    login, company, other_company, kitchen, project_manager, accountant, outsider
):
    forecast = entered(kitchen, project_manager)
    theirs = make_project(other_company, "16", "Their kitchen")

    assert login(outsider).get(url(company, kitchen)).status_code == 404
    assert login(outsider).post(review_url(company, kitchen, forecast), {"decision": "review"}).status_code == 404
    client = login(accountant)
    assert client.get(url(company, theirs)).status_code == 404  # their project under our company's address
    assert client.post(url(company, theirs), {"period_end": "2025-10-31"}).status_code == 404
    another = make_project(company, "17", "Bathroom")
    assert client.post(review_url(company, another, forecast), {"decision": "review"}).status_code == 404
    forecast.refresh_from_db()
    assert forecast.status == CostForecast.Status.SUBMITTED


# ---- the estimate at completion ----


def test_reviewed_estimates_takes_the_latest_reviewed_forecast_as_of_a_date(
    company, other_company, kitchen, project_manager, accountant
):
    bathroom = make_project(company, "17", "Bathroom")
    deck = make_project(company, "18", "Deck")
    pm, acc = membership(project_manager), membership(accountant)

    def reviewed(project, period_end, amount):
        forecast = entered(project, project_manager, period_end, amount)
        return review_forecast(forecast_id=forecast.pk, project=project, by=acc)

    reviewed(kitchen, SEPTEMBER, "20000.00")  # cost to date 12,000 then: 32,000
    reviewed(kitchen, OCTOBER, "10000.00")  # 15,000 + 10,000
    entered(kitchen, project_manager, NOVEMBER, "1.00")  # waiting: ignored
    reviewed(bathroom, SEPTEMBER, "500.00")
    returned = entered(bathroom, project_manager, OCTOBER, "700.00")
    return_forecast(forecast_id=returned.pk, project=bathroom, by=acc, note="Check it.")  # returned: ignored
    reviewed(deck, NOVEMBER, "900.00")  # later than October: not as of October
    entered(deck, project_manager, SEPTEMBER, "800.00")  # waiting: ignored
    assert pm.company == company

    assert reviewed_estimates(company, OCTOBER) == {kitchen.pk: Decimal("25000.00"), bathroom.pk: Decimal("500.00")}
    assert reviewed_estimates(company, date(2025, 10, 30)) == {
        kitchen.pk: Decimal("32000.00"),
        bathroom.pk: Decimal("500.00"),
    }
    assert reviewed_estimates(company, NOVEMBER) == {
        kitchen.pk: Decimal("25000.00"),
        bathroom.pk: Decimal("500.00"),
        deck.pk: Decimal("900.00"),
    }
    assert reviewed_estimates(company, date(2025, 8, 31)) == {}
    assert reviewed_estimates(other_company, NOVEMBER) == {}
    assert all(isinstance(value, Decimal) for value in reviewed_estimates(company, NOVEMBER).values())


def test_within_a_period_the_latest_reviewed_wins(company, kitchen, project_manager, accountant):
    acc = membership(accountant)
    first = entered(kitchen, project_manager, OCTOBER, "1000.00")
    review_forecast(forecast_id=first.pk, project=kitchen, by=acc)
    second = entered(kitchen, project_manager, OCTOBER, "2000.00")
    review_forecast(forecast_id=second.pk, project=kitchen, by=acc)
    CostForecast.objects.filter(pk=first.pk).update(reviewed_at=timezone.now() + timedelta(hours=1))

    assert reviewed_estimates(company, OCTOBER) == {kitchen.pk: Decimal("16000.00")}  # latest reviewed_at, then id
    assert forecast_for(kitchen, OCTOBER) == first


@pytest.mark.parametrize("projects", [2, 20])
def test_reviewed_estimates_is_one_query_however_many_projects(company, project_manager, accountant, projects):
    acc = membership(accountant)
    for number in range(projects):
        project = make_project(company, str(100 + number), f"Job {number}")
        for period_end in (SEPTEMBER, OCTOBER):
            forecast = entered(project, project_manager, period_end, str(number))
            review_forecast(forecast_id=forecast.pk, project=project, by=acc)

    with CaptureQueriesContext(connection) as queries:
        found = reviewed_estimates(company, NOVEMBER)

    assert len(queries) == 1
    assert len(found) == projects and set(found.values()) == {Decimal(number) for number in range(projects)}


def test_without_a_counter_of_change_orders_the_page_shows_the_budget_alone(
    login, company, kitchen, budgeted, viewer, monkeypatch
):
    monkeypatch.setattr(forecasts, "_change_order_cost", [])
    figures = forecasts.revised_budget(kitchen)
    assert (figures.budget, figures.change_orders, figures.revised) == (Decimal("30000.00"), None, None)
    page = login(viewer).get(url(company, kitchen)).content.decode()
    assert "30,000.00" in page and "no reviewed forecast yet" in page


def test_revised_budget_counts_budgets_in_quickbooks_and_signed_change_orders(
    company, kitchen, budgeted, counting_change_orders
):
    Budget.objects.create(company=company, project_qbo_id="16", qbo_id="b2", name="Gone", total=5000, deleted=True)
    ChangeOrder.objects.create(
        company=company, qbo_id="co2", project_qbo_id="16", booked_status=TxnStatus.PENDING, booked_cost=700
    )
    figures = forecasts.revised_budget(kitchen)
    assert (figures.budget, figures.change_orders, figures.revised) == (
        Decimal("30000.00"),
        Decimal("2000.00"),
        Decimal("32000.00"),
    )
    assert forecasts.revised_budget(make_project(company, "17", "No budget")).revised is None
