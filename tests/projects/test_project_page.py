"""The project page: header figures and their rules, estimates and change orders, profitability by kind, the
chart, who may see it, and a constant number of queries however long the ledger."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import Budget
from changeorders.models import ChangeOrder
from projects.models import Estimate, LedgerLine, Project, TxnStatus
from quickbooks.models import SyncState
from reports import figures
from reports.charts import cumulative_chart, y_ticks
from reports.figures import with_contract_value

pytestmark = pytest.mark.django_db
D = Decimal


def line(
    company,
    amount,
    *,
    project_qbo_id="16",
    txn_type="Bill",
    kind=LedgerLine.Kind.COST,
    n=[0],  # noqa: B006
    **fields,
):
    n[0] += 1
    return LedgerLine.objects.create(
        company=company,
        project_qbo_id=project_qbo_id,
        tagged_by="project_ref",
        txn_type=txn_type,
        txn_qbo_id=str(1000 + n[0]),
        line_id="1",
        kind=kind,
        amount=D(amount),
        **fields,
    )


def booked(total, status, tax="0.00", cost=None) -> dict:
    """A document as QuickBooks holds it: TotalAmt `total` (tax included), its status and cost."""
    return {
        "total_amount": D(total),
        "total_tax": D(tax),
        "status": status,
        "booked_status": status,
        "booked_subtotal": D(total) - D(tax),
        "booked_cost": None if cost is None else D(cost),
    }


def estimate(company, total, status=TxnStatus.PENDING, qbo_id="e1", tax="0.00", **fields):
    return Estimate.objects.create(
        company=company, qbo_id=qbo_id, project_qbo_id="16", **booked(total, status, tax), **fields
    )


def change_order(company, parent, total, status, qbo_id, cost=None, **fields):
    return ChangeOrder.objects.create(
        company=company,
        qbo_id=qbo_id,
        project_qbo_id="16",
        estimate=parent,
        estimate_qbo_id=parent.qbo_id,
        **booked(total, status, cost=cost),
        **fields,
    )


def page_url(company, project):
    return reverse("reports:project-detail", args=[company.pk, project.pk])


def make_kitchen(company):
    return Project.objects.create(
        company=company,
        qbo_id="16",
        name="Kitchen Remodel",
        customer_name="Okafor",
        status="IN_PROGRESS",
        completion_rate=D("40"),
        type="Remodel",
        priority=2,
    )


@pytest.fixture
def kitchen(company):
    return make_kitchen(company)


@pytest.fixture
def contract(company, kitchen):
    """Estimates 48,000 before tax (accepted: counts), 5,000 (rejected: does not) and 7,000 (pending: proposed);
    change orders 2,500 accepted (cost 1,500: counts), 900 pending (proposed)."""
    parent = estimate(
        company, "51360.00", status=TxnStatus.ACCEPTED, tax="3360.00", doc_number="1001", txn_date=date(2026, 1, 5)
    )
    estimate(company, "5000.00", status=TxnStatus.REJECTED, qbo_id="e2", doc_number="1002")
    estimate(company, "7000.00", qbo_id="e3", doc_number="1003", txn_date=date(2025, 12, 1))
    change_order(company, parent, "2500.00", TxnStatus.ACCEPTED, "c1", cost="1500.00", doc_number="CO-1")
    change_order(company, parent, "900.00", TxnStatus.PENDING, "c2", doc_number="CO-2")
    return parent


@pytest.fixture
def ledger(company, kitchen):
    """Cost 10,000.00 (labour 1,200, subcontractors 5,500, materials 2,800, other 500); revenue 19,000.00."""
    line(company, "1200.00", txn_type="TimeActivity", hours=D("24"), txn_date=date(2026, 1, 10))
    line(company, "4000.00", account_name="Subcontractors", account_qbo_id="51", txn_date=date(2026, 2, 3))
    line(company, "1500.00", item_name="Subcontract - Electrical", item_qbo_id="9", txn_date=date(2026, 2, 4))
    line(
        company,
        "3000.00",
        item_name="Framing Lumber",
        item_qbo_id="5",
        account_name="Job Materials",
        account_qbo_id="50",
        txn_date=date(2026, 2, 5),
    )
    line(
        company, "-200.00", txn_type="Purchase", item_name="Drywall", item_qbo_id="6", txn_date=date(2026, 4, 2)
    )  # a card credit
    line(
        company,
        "500.00",
        txn_type="Purchase",
        account_name="Equipment Rental",
        account_qbo_id="61",
        txn_date=date(2026, 4, 20),
    )
    line(company, "20000.00", txn_type="Invoice", kind=LedgerLine.Kind.REVENUE, txn_date=date(2026, 1, 31))
    line(company, "-1000.00", txn_type="CreditMemo", kind=LedgerLine.Kind.REVENUE, txn_date=date(2026, 4, 9))
    line(company, "5000.00", txn_type="PurchaseOrder", kind=LedgerLine.Kind.COMMITMENT, txn_date=date(2026, 2, 1))
    line(company, "8000.00", txn_type="Payment", kind=LedgerLine.Kind.PAYMENT, txn_date=date(2026, 2, 15))
    line(company, "300.00", txn_type="JournalEntry", kind=LedgerLine.Kind.JOURNAL, txn_date=date(2026, 3, 31))


def budget(company, total, **fields):
    return Budget.objects.create(
        company=company, qbo_id=f"b{total}", project_qbo_id="16", total=D(total), name="Kitchen budget", **fields
    )


# --- Header figures ----------------------------------------------------------------------------------------


def test_contract_value_is_signed_estimates_and_change_orders_before_tax(login, viewer, company, kitchen, contract):
    response = login(viewer).get(page_url(company, kitchen))
    context = response.context

    assert context["contract"].estimate_total == D("48000.00")  # 51,360.00 less its 3,360.00 of sales tax
    assert context["contract"].change_order_total == D("2500.00")
    assert context["contract"].value == D("50500.00")
    assert (context["contract"].proposed_estimates, context["contract"].proposed_change_orders) == (
        D("7000.00"),
        D("900.00"),
    )
    html = response.content.decode()
    assert "before tax" in html and "Proposed, not in the contract" in html and "7,900.00" in html


def test_a_local_edit_not_yet_in_quickbooks_counts_as_quickbooks_has_it(login, viewer, company, kitchen, contract):
    """The books are QuickBooks': an unsent or conflicted edit is shown apart, never in a figure."""
    Estimate.objects.filter(pk=contract.pk).update(
        total_amount=D("466.63"), status=TxnStatus.PENDING, sync_state=SyncState.CONFLICT
    )
    response = login(viewer).get(page_url(company, kitchen))

    assert response.context["contract"].value == D("50500.00")
    assert response.context["contract"].unsent == 1
    assert "changes here not yet in QuickBooks" in response.content.decode()


def test_a_draft_or_a_status_changed_only_here_does_not_count(login, viewer, company, kitchen, contract):
    Estimate.objects.create(  # a draft: never in QuickBooks, so no ProjectRef and nothing booked
        company=company, project=kitchen, total_amount=D("9000.00"), status=TxnStatus.ACCEPTED
    )
    Estimate.objects.filter(qbo_id="e3").update(status=TxnStatus.ACCEPTED, sync_state=SyncState.PENDING_PUSH)

    contract_ = login(viewer).get(page_url(company, kitchen)).context["contract"]

    assert contract_.value == D("50500.00") and contract_.unsent == 2


def test_cost_billed_and_margin_follow_the_ledger_kinds(login, viewer, company, kitchen, ledger):
    response = login(viewer).get(page_url(company, kitchen))

    actuals = response.context["actuals"]
    assert (actuals.cost, actuals.revenue, actuals.margin) == (D("10000.00"), D("19000.00"), D("9000.00"))
    assert actuals.margin_percent == D("47.4")
    assert actuals.commitments == D("5000.00") and actuals.payments == D("8000.00") and actuals.journal == D("300.00")
    html = response.content.decode()
    assert "10,000.00" in html and "19,000.00" in html and "47.4% of billed" in html


def test_the_page_counts_cost_billing_and_contract_as_the_dashboards_annotations_do(
    login, viewer, company, kitchen, contract, ledger
):
    row = with_contract_value(Project.objects.filter(pk=kitchen.pk).with_actuals()).get()

    context = login(viewer).get(page_url(company, kitchen)).context

    assert (row.cost_to_date, row.billed_to_date, row.contract_value) == (
        context["actuals"].cost,
        context["actuals"].revenue,
        context["contract"].value,
    )


def test_percent_complete_is_cost_to_cost_against_the_revised_budget(login, viewer, company, kitchen, contract, ledger):
    budget(company, "30000.00", state=Budget.State.LOCKED)
    budget(company, "99999.00", deleted=True)  # a deleted budget does not count

    response = login(viewer).get(page_url(company, kitchen))

    assert response.context["budget_total"] == D("30000.00")
    progress = response.context["progress"]
    assert progress.estimated_cost == D("31500.00")  # the budget + the signed change order's cost
    assert progress.percent_complete == D("10000.00") / D("31500.00")
    assert progress.earned == D("16031.75")  # 50,500 x 10,000 / 31,500, rounded once to the cent
    assert progress.over_under == D("2968.25")  # 19,000 billed - 16,031.75 earned: over billed
    assert progress.gross_profit == D("6031.75")  # earned - cost
    assert progress.billed_margin == D("9000.00")  # billed - cost, labelled as such
    html = response.content.decode()
    assert "31.7%" in html and "cost-to-cost" in html and "billings in excess of earnings" in html
    assert "Billed margin" in html and "Gross profit to date" in html


def test_without_a_budget_percent_complete_and_earned_revenue_are_not_guessed(
    login, viewer, company, kitchen, contract, ledger
):
    response = login(viewer).get(page_url(company, kitchen))

    progress = response.context["progress"]
    assert response.context["budget_total"] is None and progress.estimated_cost is None
    assert progress.percent_complete is None and progress.earned is None and progress.over_under is None
    html = response.content.decode()
    assert "No budget in QuickBooks" in html
    assert "40%" not in html, "QuickBooks' hand-set completion rate is not a second % complete"


def test_cost_past_the_estimate_is_flagged_never_read_as_complete(login, viewer, company, kitchen, contract, ledger):
    budget(company, "8000.00")  # + 1,500 of change orders = 9,500, and 10,000 is spent

    response = login(viewer).get(page_url(company, kitchen))

    progress = response.context["progress"]
    assert progress.over_budget and progress.percent_complete is None and progress.earned is None
    assert "Over budget: forecast needed." in response.content.decode()


def test_an_estimated_cost_above_the_contract_shows_the_projected_loss(
    login, viewer, company, kitchen, contract, ledger
):
    budget(company, "60000.00")

    response = login(viewer).get(page_url(company, kitchen))

    assert response.context["progress"].projected_loss == D("-11000.00")  # 50,500 - 61,500
    assert "Projected loss" in response.content.decode() and "(11,000.00)" in response.content.decode()


def test_progress_at_the_edges():
    def progress(budget_, cost, contract_="1000.00", change_orders="0.00"):
        return figures.Progress(
            contract=D(contract_),
            original_budget=None if budget_ is None else D(budget_),
            change_order_cost=D(change_orders),
            cost=D(cost),
            billed=D("0.00"),
        )

    assert progress("0.00", "0.00").percent_complete is None  # a zero estimate measures nothing
    assert progress("0.00", "10.00", change_orders="100.00").earned == D("100.00")  # 10 of 100: 10% of 1,000
    assert progress("500.00", "500.00").earned == D("1000.00")  # at the estimate: complete, never past it
    assert progress("500.00", "500.01").percent_complete is None


def test_header_shows_the_projects_facts(login, viewer, company, kitchen):
    kitchen.pinned, kitchen.start_date, kitchen.due_date = True, date(2026, 1, 5), date(2026, 6, 30)
    kitchen.save()

    html = login(viewer).get(page_url(company, kitchen)).content.decode()

    for fact in (
        "Kitchen Remodel",
        "Okafor",
        "In progress",
        "Remodel",
        "2026-01-05",
        "2026-06-30",
        "★",
        "Synced",
        ">16<",
    ):
        assert fact in html, fact


def test_a_deleted_project_still_shows_marked_deleted_and_read_only(login, viewer, company, kitchen, ledger):
    kitchen.deleted = True
    kitchen.save()

    response = login(viewer).get(page_url(company, kitchen))

    assert response.status_code == 200
    html = response.content.decode()
    assert "deleted in QuickBooks" in html and "read-only" in html
    assert 'method="post"' not in html.split("<main")[1]  # nothing on the page writes
    assert response.context["actuals"].cost == D("10000.00")


# --- Estimates and change orders ---------------------------------------------------------------------------


def test_change_orders_are_listed_under_their_parent_estimate(login, viewer, company, kitchen, contract):
    response = login(viewer).get(page_url(company, kitchen))

    estimates = response.context["estimates"]
    assert [row.estimate.doc_number for row in estimates] == ["1001", "1003", "1002"]  # newest first, undated last
    assert [(o.doc_number, o.status) for o in estimates[0].change_orders] == [
        ("CO-1", TxnStatus.ACCEPTED),
        ("CO-2", TxnStatus.PENDING),
    ]
    html = response.content.decode()
    assert "Change order CO-1" in html and "Proposed: pending in QuickBooks, not in the contract" in html


def test_a_change_order_whose_parent_is_not_on_the_project_is_still_shown_and_counted(login, viewer, company, kitchen):
    ChangeOrder.objects.create(
        company=company,
        qbo_id="c9",
        project_qbo_id="16",
        estimate_qbo_id="404",
        **booked("700.00", TxnStatus.ACCEPTED),
        doc_number="CO-9",
    )

    response = login(viewer).get(page_url(company, kitchen))

    assert [o.doc_number for o in response.context["orphan_change_orders"]] == ["CO-9"]
    assert response.context["contract"].value == D("700.00")
    assert "parent estimate 404 not on this project" in response.content.decode()


def test_another_projects_documents_are_not_counted(login, viewer, company, kitchen, contract):
    Estimate.objects.create(company=company, qbo_id="e7", project_qbo_id="17", total_amount=D("1.00"))
    line(company, "77.00", project_qbo_id="17")

    context = login(viewer).get(page_url(company, kitchen)).context

    assert context["contract"].value == D("50500.00") and context["actuals"].cost == D("0.00")


# --- Profitability by kind ---------------------------------------------------------------------------------


def test_costs_split_into_labour_subcontractors_materials_and_other(login, viewer, company, kitchen, ledger):
    actuals = login(viewer).get(page_url(company, kitchen)).context["actuals"]

    assert actuals.labour == D("1200.00") and actuals.hours == D("24")
    assert actuals.subcontractors == D("5500.00")  # the account "Subcontractors" and the item "Subcontract - ..."
    assert actuals.materials == D("2800.00")  # item-based, less a card credit
    assert actuals.other == D("500.00")  # account-based, not subcontract
    assert actuals.labour + actuals.subcontractors + actuals.materials + actuals.other == actuals.cost


def test_time_on_a_subcontract_item_is_still_labour(company, kitchen):
    line(company, "90.00", txn_type="TimeActivity", item_name="Subcontract hours", item_qbo_id="3")

    actuals = figures.actuals(figures.ledger_lines(kitchen))

    assert (actuals.labour, actuals.subcontractors) == (D("90.00"), D("0.00"))


def test_the_cost_rule_is_stated_on_the_page(login, viewer, company, kitchen):
    html = login(viewer).get(page_url(company, kitchen)).content.decode()

    assert "Labour = TimeActivity lines" in html and "materials = other item-based cost lines" in html


# --- The chart ---------------------------------------------------------------------------------------------


def test_cumulative_figures_have_one_point_per_month_gaps_included(company, kitchen, ledger):
    months = figures.cumulative_by_month(figures.ledger_lines(kitchen))

    assert [m.month for m in months] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    assert [(m.revenue, m.cost) for m in months] == [
        (D("20000.00"), D("1200.00")),
        (D("20000.00"), D("9700.00")),
        (D("20000.00"), D("9700.00")),
        (D("19000.00"), D("10000.00")),
    ]


def test_the_chart_is_inline_svg_with_a_point_per_month_axes_and_legend(login, viewer, company, kitchen, ledger):
    html = login(viewer).get(page_url(company, kitchen)).content.decode()

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('class="point point-revenue"') == 4 and svg.count('class="point point-cost"') == 4
    assert "Revenue to date" in svg and "Cost to date" in svg  # the legend
    assert "Jan 2026" in svg and "Apr 2026" in svg and "20k" in svg  # month and money axes
    assert "<script" not in html.split("<main")[1]


def test_the_chart_crosses_a_year_end_and_spans_negative_values():
    months = [
        figures.Month(date(2025, 12, 1), D("-50.00"), D("10.00")),
        figures.Month(date(2026, 1, 1), D("100.00"), D("30.00")),
    ]

    svg = cumulative_chart(months)

    assert svg.count("<circle") == 4 and "Dec 2025" in svg and "Jan 2026" in svg and "-50" in svg


def test_axis_ticks_are_round_and_cover_the_values():
    assert y_ticks(0, 18700) == [0, 5000, 10000, 15000, 20000]
    assert y_ticks(-120, 300)[0] <= -120 and y_ticks(-120, 300)[-1] >= 300


def test_a_project_without_dated_lines_says_so_instead_of_an_empty_chart(login, viewer, company, kitchen):
    html = login(viewer).get(page_url(company, kitchen)).content.decode()

    assert "<svg" not in html and "No dated revenue or cost yet" in html


# --- Who sees it -------------------------------------------------------------------------------------------


def test_every_role_sees_the_project_page(login, member, company, kitchen):
    response = login(member).get(page_url(company, kitchen))

    assert response.status_code == 200 and response.context["project"] == kitchen


def test_an_outsider_gets_404(login, outsider, company, kitchen):
    assert login(outsider).get(page_url(company, kitchen)).status_code == 404


def test_a_project_of_another_company_under_ours_is_404(login, viewer, company, other_company):
    theirs = Project.objects.create(company=other_company, qbo_id="16", name="Their Kitchen")

    assert login(viewer).get(page_url(company, theirs)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, company, kitchen):
    response = client.get(page_url(company, kitchen))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_companys_ledger_with_the_same_project_id_never_counts(login, viewer, company, other_company, kitchen):
    line(other_company, "99999.00")

    assert login(viewer).get(page_url(company, kitchen)).context["actuals"].cost == D("0.00")


# --- Queries -----------------------------------------------------------------------------------------------


def test_the_page_runs_the_same_queries_for_one_ledger_line_or_three_hundred(
    login, viewer, company, kitchen, contract, django_assert_max_num_queries
):
    client = login(viewer)
    line(company, "1.00", txn_date=date(2026, 1, 1))
    client.get(page_url(company, kitchen))  # warm caches (content types, session)
    with django_assert_max_num_queries(30) as one:
        client.get(page_url(company, kitchen))
    LedgerLine.objects.bulk_create(
        LedgerLine(
            company=company,
            project_qbo_id="16",
            tagged_by="project_ref",
            txn_type=txn_type,
            txn_qbo_id=str(n),
            line_id="1",
            kind=kind,
            amount=D("10.00"),
            account_qbo_id=str(n % 7),
            account_name=f"Account {n % 7}",
            class_qbo_id=str(n % 5),
            class_name=f"Class {n % 5}",
            txn_date=date(2024 + n % 3, n % 12 + 1, 1),
        )
        for n in range(299)
        for txn_type, kind in [(("Bill", "cost"), ("Invoice", "revenue"), ("TimeActivity", "cost"))[n % 3]]
    )

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(page_url(company, kitchen))
    assert response.context["ledger_page"].paginator.count == 300


def test_earned_revenue_never_exceeds_the_contract_value():
    at_the_estimate = figures.Progress(D("1000.00"), D("800.00"), D("0.00"), D("800.00"), D("1200.00"))
    under = figures.Progress(D("1000.00"), D("800.00"), D("0.00"), D("400.00"), D("300.00"))

    assert at_the_estimate.earned == D("1000.00") and at_the_estimate.over_under == D("200.00")
    assert under.earned == D("500.00") and under.over_under == D("-200.00")


def test_every_figure_links_to_its_rules_written_once(login, viewer, company, kitchen):
    client = login(viewer)
    rules = reverse("reports:figures")
    for url in (page_url(company, kitchen), reverse("reports:dashboard", args=[company.pk])):
        assert rules in client.get(url).content.decode(), url

    html = client.get(rules).content.decode()
    assert "<table>" in html and "Contract value" in html and "Cost-to-cost" in html  # docs/figures.md, as HTML
    client.logout()
    assert client.get(rules).status_code == 302  # behind the sign-in, like every page
