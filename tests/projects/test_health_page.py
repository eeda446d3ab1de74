"""The data-health page and the re-tag preview: who sees what, who may act, and what a re-tag queues."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import LedgerLine, RetagRequest
from quickbooks.models import OutboxItem, Role, SyncState
from tests.projects.test_health import build_books, customer, line, project

pytestmark = pytest.mark.django_db
ACTING = (Role.ACCOUNTANT, Role.ADMIN)


@pytest.fixture
def books(company):
    return build_books(company)


@pytest.fixture
def miscoded(books):
    """Bill B-1 (two lines, Lee's customer record: one project, Kitchen) and bill B-2 (Diaz: two projects)."""
    line(books, "501", "1", "100.00", customer_id="10", doc_number="B-1")
    line(books, "501", "2", "50.25", customer_id="10", doc_number="B-1")
    line(books, "502", "1", "75.00", customer_id="20", doc_number="B-2")
    line(books, "900", "1", "1000.00", customer_id="11", project_id="11", tagged_by=LedgerLine.TaggedBy.PROJECT_REF)
    return books


def page(client, company):
    return client.get(reverse("projects:health", args=[company.pk]))


def preview_url(company, txn_qbo_id, project_id=None, txn_type="Bill"):
    url = reverse("projects:retag-preview", args=[company.pk, txn_type, txn_qbo_id])
    return f"{url}?project={project_id}" if project_id else url


def send_url(company, txn_qbo_id, txn_type="Bill"):
    return reverse("projects:retag-send", args=[company.pk, txn_type, txn_qbo_id])


def test_every_member_reads_the_page_and_only_accountants_and_admins_get_buttons(login, member, miscoded):
    response = page(login(member), miscoded)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Lee:Basement" in text and "B-1" in text and "B-2" in text
    assert ("Preview" in text) is (member.role in ACTING)
    assert (preview_url(miscoded, "501") in text) is (member.role in ACTING)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PROJECT_MANAGER])
def test_viewers_and_project_managers_cannot_preview_or_retag(login, company, miscoded, role):
    from tests.conftest import _member

    client = login(_member(company, role))

    assert client.get(preview_url(miscoded, "501", "11")).status_code == 403
    assert client.post(send_url(miscoded, "501"), {"project": "11"}).status_code == 403
    assert not RetagRequest.objects.exists() and not OutboxItem.objects.exists()


def test_another_companys_page_and_retag_are_not_found(login, outsider, miscoded):
    client = login(outsider)

    assert page(client, miscoded).status_code == 404
    assert client.get(preview_url(miscoded, "501", "11")).status_code == 404
    assert client.post(send_url(miscoded, "501"), {"project": "11"}).status_code == 404
    assert not RetagRequest.objects.exists()


def test_the_page_reads_a_fixed_number_of_queries_however_many_problems(login, accountant, books):
    client = login(accountant)
    page(client, books)  # the session and the user, first time

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert page(client, books).status_code == 200
        return len(captured)

    line(books, "501", "1", "10.00", customer_id="10")
    few = queries()
    for n in range(25):
        line(books, str(600 + n), "1", "10.00", customer_id="20")
        customer(books, str(1000 + n), f"Look-alike {n}", parent="10", job=True)
        project(books, str(2000 + n), f"Orphan {n}", "10")
    assert queries() == few


def test_the_preview_lists_each_line_its_tags_the_change_and_the_amount_moving_in(login, accountant, miscoded):
    response = login(accountant).get(preview_url(miscoded, "501"))  # Lee has one project: chosen for you

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["line"].line_id, r["line"].amount, r["already_counted"]) for r in rows] == [
        ("1", Decimal("100.00"), False),
        ("2", Decimal("50.25"), False),
    ]
    assert response.context["moving"] == [("Cost", Decimal("150.25"))]
    assert response.context["project"].cost_to_date == Decimal("1000.00")
    assert response.context["cost_after"] == Decimal("1150.25")
    text = response.content.decode()
    assert "ProjectRef = Lee:Kitchen" in text and "Customer 10" in text


def test_a_line_charged_to_the_project_itself_is_already_counted_and_moves_nothing(login, accountant, books):
    line(books, "503", "", "40.00", customer_id="21", project_id="21", txn_type="TimeActivity")

    response = login(accountant).get(preview_url(books, "503", txn_type="TimeActivity"))

    assert [r["already_counted"] for r in response.context["rows"]] == [True]
    assert response.context["moving"] == []
    assert response.context["project"].cost_to_date == response.context["cost_after"] == Decimal("40.00")


def test_a_customer_with_several_projects_must_have_one_chosen(login, accountant, miscoded):
    client = login(accountant)

    response = client.get(preview_url(miscoded, "502"), follow=True)
    assert "Choose the project" in response.content.decode()
    assert client.get(preview_url(miscoded, "502", "22")).context["project"].qbo_id == "22"
    client.post(send_url(miscoded, "502"), {"project": "11"})  # Lee's project, not Diaz's
    assert not RetagRequest.objects.exists()


def test_retag_queues_one_outbox_item_with_its_request_and_the_page_shows_it_waiting(login, accountant, miscoded):
    client = login(accountant)

    response = client.post(send_url(miscoded, "501"), {"project": "11"}, follow=True)

    retag = RetagRequest.objects.get()
    item = OutboxItem.objects.get()
    assert (item.entity, item.object_id, item.operation) == ("RetagRequest", retag.pk, OutboxItem.Operation.UPDATE)
    assert (retag.txn_type, retag.qbo_id, retag.line_ids, retag.project_qbo_id) == ("Bill", "501", ["1", "2"], "11")
    assert retag.amount == Decimal("150.25") and retag.requested_by == accountant
    assert retag.sync_state == SyncState.PENDING_PUSH
    text = response.content.decode()
    assert "Queued for QuickBooks" in text and "Re-tag waiting to be sent" in text
    assert preview_url(miscoded, "501") not in text  # no second re-tag while one waits

    client.post(send_url(miscoded, "501"), {"project": "11"})
    assert RetagRequest.objects.count() == 1 and OutboxItem.objects.count() == 1
