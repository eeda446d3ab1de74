"""/c/<id>/sync/: what the sync engine did, for every member; Sync now, Full re-sync and Retry for those allowed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quickbooks.models import Company, OutboxItem, PullCursor, Role, SyncRun, WebhookEvent

pytestmark = pytest.mark.django_db

PULL = "quickbooks.tasks.sync_pull"
SEND = "quickbooks.tasks.outbox_send"


@pytest.fixture
def connected(company):
    company.realm_id = "9130357992221046"
    company.connection_state = Company.ConnectionState.CONNECTED
    company.save()
    return company


def outbox_item(company, status=OutboxItem.Status.FAILED, **fields):
    # The company itself stands in for "a local object": any model works behind the generic foreign key.
    return OutboxItem.objects.create(
        company=company, entity="Invoice", target=company, operation="update", status=status, **fields
    )


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """POST an action as a member, running on-commit work (the enqueue) like a real commit."""

    def _act(client, url_name, company, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse(url_name, args=[company.pk, *args]))

    return _act


def status_url(company):
    return reverse("quickbooks:sync-status", args=[company.pk])


# --- who sees what ------------------------------------------------------------------------------


def test_every_member_sees_the_page_and_only_accountants_and_admins_get_buttons(login, member, connected):
    item = outbox_item(connected, last_error="The customer is inactive in QuickBooks.")

    response = login(member).get(status_url(connected))

    html = response.content.decode()
    assert response.status_code == 200
    assert "The customer is inactive in QuickBooks." in html
    may_sync = member.role in (Role.ACCOUNTANT, Role.ADMIN)
    assert ("Sync now" in html) is may_sync
    assert (reverse("quickbooks:sync-outbox-retry", args=[connected.pk, item.pk]) in html) is may_sync
    assert ("Full re-sync" in html) is (member.role == Role.ADMIN)


def test_an_outsider_gets_404_for_the_page_and_every_action(login, outsider, connected, sent_tasks, act):
    item = outbox_item(connected)
    client = login(outsider)

    assert client.get(status_url(connected)).status_code == 404
    assert act(client, "quickbooks:sync-now", connected).status_code == 404
    assert act(client, "quickbooks:sync-full", connected).status_code == 404
    assert act(client, "quickbooks:sync-outbox-retry", connected, item.pk).status_code == 404
    assert sent_tasks == []


def test_an_anonymous_visitor_is_sent_to_sign_in(client, connected):
    response = client.get(status_url(connected))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("persona", ["viewer", "project_manager"])
def test_viewers_and_project_managers_cannot_post_actions(request, login, persona, connected, sent_tasks, act):
    item = outbox_item(connected)
    client = login(request.getfixturevalue(persona))

    assert act(client, "quickbooks:sync-now", connected).status_code == 403
    assert act(client, "quickbooks:sync-full", connected).status_code == 403
    assert act(client, "quickbooks:sync-outbox-retry", connected, item.pk).status_code == 403
    assert sent_tasks == []
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.FAILED


def test_an_accountant_cannot_start_a_full_resync(login, accountant, connected, sent_tasks, act):
    assert act(login(accountant), "quickbooks:sync-full", connected).status_code == 403
    assert sent_tasks == []


def test_the_sync_link_is_in_the_menu(login, viewer, connected):
    html = login(viewer).get(status_url(connected)).content.decode()

    assert f'href="{status_url(connected)}" aria-current="page">Sync</a>' in html


# --- what the page shows ------------------------------------------------------------------------


def test_the_page_shows_runs_cursors_outbox_and_webhook_events(login, viewer, connected):
    started = timezone.now() - timedelta(minutes=3)
    SyncRun.objects.create(
        company=connected,
        kind=SyncRun.Kind.INCREMENTAL_PULL,
        status=SyncRun.Status.FAILED,
        started_at=started,
        finished_at=started + timedelta(seconds=75),
        api_calls=17,
        counts={"Invoice": {"pulled": 120, "deleted": 2}},
        error="QuickBooks was unavailable; the next sync will try again.",
    )
    PullCursor.objects.create(company=connected, entity="Customer", rows=48, last_pull_at=timezone.now())
    outbox_item(connected, last_error="The customer is inactive in QuickBooks.", attempts=3)
    conflict = outbox_item(connected, status=OutboxItem.Status.CONFLICT)
    outbox_item(connected, status=OutboxItem.Status.PENDING)
    WebhookEvent.objects.create(
        company=connected,
        realm_id=connected.realm_id,
        event_key="k1",
        entity="Estimate",
        qbo_id="311",
        operation="Update",
    )

    html = login(viewer).get(status_url(connected)).content.decode()

    assert "Change capture" in html and "1 min 15 s" in html and "Invoice: 120 pulled, 2 deleted" in html
    assert ">17<" in html and "QuickBooks was unavailable; the next sync will try again." in html
    assert "Customer" in html and ">48<" in html
    assert "1 waiting · 1 refused · 1 in conflict" in html
    assert "The customer is inactive in QuickBooks." in html and ">3<" in html
    assert f'href="/c/{connected.pk}/sync/conflicts/{conflict.pk}/"' in html
    assert "Estimate 311" in html
    assert 'http-equiv="refresh"' not in html  # nothing running: no reloading


def test_a_running_sync_shows_its_progress_and_the_page_refreshes_itself(login, viewer, connected):
    SyncRun.objects.create(
        company=connected, kind=SyncRun.Kind.FULL_PULL, entities_total=8, entities_done=2, current_entity="Invoice"
    )

    html = login(viewer).get(status_url(connected)).content.decode()

    assert '<progress value="2" max="8"' in html
    assert "25% · Invoice (2 of 8)" in html
    assert '<meta http-equiv="refresh" content="5">' in html


def test_another_companys_sync_data_never_shows(login, viewer, connected, other_company):
    SyncRun.objects.create(company=other_company, kind=SyncRun.Kind.PUSH, error="rival-run-error")
    WebhookEvent.objects.create(
        company=other_company, realm_id="1", event_key="k", entity="Bill", qbo_id="rival-9", operation="Create"
    )
    OutboxItem.objects.create(
        company=other_company,
        entity="Bill",
        target=other_company,
        operation="create",
        status=OutboxItem.Status.FAILED,
        last_error="rival-outbox-error",
    )

    html = login(viewer).get(status_url(connected)).content.decode()

    assert "rival" not in html


def _fill(company, n, start=0):
    for i in range(start, start + n):
        SyncRun.objects.create(
            company=company,
            kind=SyncRun.Kind.INCREMENTAL_PULL,
            status=SyncRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            counts={"Invoice": {"pulled": i}},
        )
        PullCursor.objects.create(company=company, entity=f"Entity{i}", rows=i, last_pull_at=timezone.now())
        for status in (OutboxItem.Status.PENDING, OutboxItem.Status.FAILED, OutboxItem.Status.CONFLICT):
            outbox_item(company, status=status)
        WebhookEvent.objects.create(
            company=company,
            realm_id=company.realm_id,
            event_key=f"k{company.pk}-{i}",
            entity="Invoice",
            qbo_id=str(i),
            operation="Update",
        )


def test_the_page_costs_the_same_queries_for_1_or_30_rows_of_everything(
    login, viewer, connected, django_assert_num_queries
):
    client = login(viewer)
    _fill(connected, 1)
    client.get(status_url(connected))  # warm Django's content-type cache so both counts below are alike
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(status_url(connected)).status_code == 200

    _fill(connected, 29, start=1)
    with django_assert_num_queries(len(one_row.captured_queries)):
        response = client.get(status_url(connected))

    assert response.content.decode().count(">Retry</button>") == 0  # a viewer; the lists were still rendered
    assert "30 refused" in response.content.decode() and "… and 10 more refused." in response.content.decode()


# --- actions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["accountant", "admin_user"])
def test_sync_now_queues_an_incremental_pull_for_this_company(request, login, persona, connected, sent_tasks, act):
    response = act(login(request.getfixturevalue(persona)), "quickbooks:sync-now", connected)

    assert response.status_code == 302 and response["Location"] == status_url(connected)
    assert sent_tasks == [(PULL, [connected.pk], {"full": False})]


def test_full_resync_queues_a_full_pull_for_an_admin(login, admin_user, connected, sent_tasks, act):
    response = act(login(admin_user), "quickbooks:sync-full", connected)

    assert response.status_code == 302
    assert sent_tasks == [(PULL, [connected.pk], {"full": True})]


def test_sync_now_on_an_unconnected_company_queues_nothing_and_says_why(login, accountant, company, sent_tasks, act):
    client = login(accountant)

    act(client, "quickbooks:sync-now", company)

    assert sent_tasks == []
    assert "is not connected to QuickBooks" in client.get(status_url(company)).content.decode()


def test_the_sync_actions_only_answer_post(login, admin_user, connected, sent_tasks):
    client = login(admin_user)

    assert client.get(reverse("quickbooks:sync-now", args=[connected.pk])).status_code == 405
    assert client.get(reverse("quickbooks:sync-full", args=[connected.pk])).status_code == 405
    assert sent_tasks == []


def test_retry_puts_a_refused_item_back_in_line_and_sends_it(login, accountant, connected, sent_tasks, act):
    item = outbox_item(
        connected,
        next_attempt_at=timezone.now() + timedelta(hours=2),
        attempts=4,
        last_error="Duplicate document number.",
    )
    before = timezone.now()

    response = act(login(accountant), "quickbooks:sync-outbox-retry", connected, item.pk)

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.PENDING
    assert before <= item.next_attempt_at <= timezone.now()
    assert item.attempts == 4  # the history stays
    assert sent_tasks == [(SEND, [item.pk], {})]


@pytest.mark.parametrize("status", [OutboxItem.Status.SENT, OutboxItem.Status.CONFLICT, OutboxItem.Status.PENDING])
def test_retry_leaves_items_that_are_not_refused_alone(login, accountant, connected, sent_tasks, act, status):
    item = outbox_item(connected, status=status)

    act(login(accountant), "quickbooks:sync-outbox-retry", connected, item.pk)

    item.refresh_from_db()
    assert item.status == status
    assert sent_tasks == []


def test_retry_of_another_companys_item_is_a_404(login, accountant, connected, other_company, sent_tasks, act):
    theirs = OutboxItem.objects.create(
        company=other_company, entity="Bill", target=other_company, operation="create", status=OutboxItem.Status.FAILED
    )

    assert act(login(accountant), "quickbooks:sync-outbox-retry", connected, theirs.pk).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OutboxItem.Status.FAILED
    assert sent_tasks == []


def test_the_actions_are_csrf_protected(accountant, connected, sent_tasks):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(accountant)

    assert client.post(reverse("quickbooks:sync-now", args=[connected.pk])).status_code == 403
    assert sent_tasks == []
