"""The change order's pages as people read them: its detail with the contract before and after, the print for
signature (cost only when asked), the log with days pending and its exports, the project's trail from original to
revised contract and budget; all scoped to the user's companies, in a constant number of queries."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets.models import Budget
from changeorders.models import ChangeOrder, ChangeOrderEvent
from projects.models import TxnStatus
from tests.projects.test_project_page import change_order, estimate, make_kitchen, page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def kitchen(company):
    return make_kitchen(company)


@pytest.fixture
def parent(company, kitchen):
    return estimate(company, "48000.00", status=TxnStatus.ACCEPTED, doc_number="1001", project=kitchen)


@pytest.fixture
def accepted(company, kitchen, parent):
    return change_order(
        company,
        parent,
        "2500.00",
        TxnStatus.ACCEPTED,
        "c1",
        cost="1500.00",
        doc_number="1002",
        project=kitchen,
        txn_date=date(2026, 3, 1),
        accepted_by="Dana Reyes",
        accepted_date=date(2026, 3, 8),
    )


@pytest.fixture
def pending(company, kitchen, parent):
    return change_order(
        company,
        parent,
        "900.00",
        TxnStatus.PENDING,
        "c2",
        cost="600.00",
        doc_number="1003",
        project=kitchen,
        txn_date=timezone.localdate() - timedelta(days=12),
    )


def url(name, order, **query):
    address = reverse(f"changeorders:{name}", args=[order.company_id, order.project_id, order.pk])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_pending_change_order_shows_the_contract_it_would_make(login, viewer, accepted, pending):
    page = login(viewer).get(url("detail", pending))
    assert page.status_code == 200
    assert (page.context["contract_before"], page.context["change"], page.context["contract_after"]) == (
        D("50500.00"),
        D("900.00"),
        D("51400.00"),
    )
    assert "Contract once accepted" in page.content.decode()


def test_an_accepted_change_order_shows_the_contract_before_and_with_it(login, viewer, accepted, pending):
    context = login(viewer).get(url("detail", accepted)).context
    assert (context["contract_before"], context["contract_after"]) == (D("48000.00"), D("50500.00"))


def test_the_print_shows_cost_only_when_the_company_chooses(login, viewer, accepted):
    client = login(viewer)
    plain = client.get(url("print", accepted)).content.decode()
    with_cost = client.get(url("print", accepted, cost=1)).content.decode()
    for page in (plain, with_cost):
        assert "Previous contract total" in page and "48,000.00" in page and "50,500.00" in page
        assert "Customer signature" in page and "Date" in page
    assert "Cost impact" not in plain and "1,500.00" not in plain
    assert "Cost impact" in with_cost and "1,500.00" in with_cost


def test_the_log_says_how_long_each_waited_and_exports_it(login, viewer, company, kitchen, accepted, pending):
    client = login(viewer)
    page = client.get(reverse("reports:project-change-orders", args=[company.pk, kitchen.pk]))
    rows = {row.order.doc_number: row for row in page.context["rows"]}
    assert rows["1002"].days_pending == 7 and rows["1003"].days_pending == 12
    assert page.context["signed_totals"] == (D("2500.00"), D("1500.00"))

    csv = b"".join(client.get(reverse("reports:change-orders", args=[company.pk]) + "?export=csv").streaming_content)
    lines = csv.decode().splitlines()
    assert lines[0].startswith("Change order,Date,Project,Changes estimate,Status")
    assert (
        "Change order 1002,2026-03-01,Kitchen Remodel,Estimate 1001,Accepted,Dana Reyes,2026-03-08,2500.00,1500.00,7"
        in lines
    )
    assert lines[-1] == '"Signed, in the contract",,,,,,,2500.00,1500.00,'
    xlsx = client.get(reverse("reports:change-orders", args=[company.pk]) + "?export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_log_runs_the_same_queries_for_two_or_twenty(
    login, viewer, company, kitchen, parent, accepted, django_assert_max_num_queries
):
    client = login(viewer)
    address = reverse("reports:change-orders", args=[company.pk])
    client.get(address)
    with django_assert_max_num_queries(12) as few:
        client.get(address)
    for n in range(20):
        change_order(company, parent, "10.00", TxnStatus.PENDING, f"m{n}", project=kitchen)
    with django_assert_max_num_queries(len(few)):
        client.get(address)


def test_the_project_page_traces_contract_and_budget_from_original_to_revised(
    login, viewer, company, kitchen, accepted, pending
):
    Budget.objects.create(company=company, qbo_id="b1", project_qbo_id="16", total=D("30000.00"), name="Kitchen")
    context = login(viewer).get(page_url(company, kitchen)).context
    assert [o.doc_number for o in context["signed_change_orders"]] == ["1002"]
    assert context["contract"].estimate_total == D("48000.00") and context["contract"].value == D("50500.00")
    assert context["progress"].revised_budget == D("31500.00")


def test_another_companys_change_order_is_not_found(login, outsider, accepted):
    assert login(outsider).get(url("detail", accepted)).status_code == 404
    assert login(outsider).get(url("print", accepted)).status_code == 404


def test_history_outlives_a_deleted_draft(login, project_manager, company, kitchen, parent):
    draft = ChangeOrder.objects.create(
        company=company, project=kitchen, estimate=parent, estimate_qbo_id=parent.qbo_id, total_amount=D("300.00")
    )
    client = login(project_manager)
    assert "Delete this draft?" in client.get(url("delete", draft)).content.decode()
    assert client.post(url("delete", draft)).status_code == 302
    assert not ChangeOrder.objects.filter(pk=draft.pk).exists()
    event = ChangeOrderEvent.objects.get(project=kitchen)
    assert (event.action, event.document, event.by) == ("deleted", "Change order (no number yet)", project_manager)
