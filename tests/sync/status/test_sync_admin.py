"""The admin as a sync console: runs, cursors, outbox and webhook events are readable, not editable; refused
outbox items can be retried in bulk."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quickbooks.models import OutboxAttempt, OutboxItem, PullCursor, SyncRun, WebhookEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEND = "quickbooks.tasks.outbox_send"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def sync_rows(company):
    run = SyncRun.objects.create(company=company, kind=SyncRun.Kind.FULL_PULL, api_calls=12)
    cursor = PullCursor.objects.create(company=company, entity="Invoice", rows=5, last_pull_at=timezone.now())
    item = OutboxItem.objects.create(
        company=company,
        entity="Invoice",
        target=company,
        operation="create",
        status=OutboxItem.Status.FAILED,
        last_error="Duplicate document number.",
    )
    OutboxAttempt.objects.create(item=item, outcome="failed", error_code="6140", message="Duplicate Document Number")
    event = WebhookEvent.objects.create(
        company=company, realm_id="123", event_key="k", entity="Invoice", qbo_id="9", operation="Update"
    )
    return {"syncrun": run, "pullcursor": cursor, "outboxitem": item, "webhookevent": event}


@pytest.mark.parametrize("model", ["syncrun", "pullcursor", "outboxitem", "webhookevent"])
def test_each_sync_changelist_and_change_page_loads_read_only(staff_client, sync_rows, model):
    changelist = staff_client.get(reverse(f"admin:quickbooks_{model}_changelist"))
    change = staff_client.get(reverse(f"admin:quickbooks_{model}_change", args=[sync_rows[model].pk]))

    assert changelist.status_code == 200 and changelist.context["cl"].result_count == 1
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()  # a view page: nothing to save
    assert staff_client.get(reverse(f"admin:quickbooks_{model}_add")).status_code == 403


def test_the_outbox_item_page_lists_its_attempts(staff_client, sync_rows):
    html = staff_client.get(reverse("admin:quickbooks_outboxitem_change", args=[sync_rows["outboxitem"].pk])).content

    assert b"Duplicate Document Number" in html and b"6140" in html


def test_the_outbox_can_be_filtered_by_status_and_searched_by_request_id(staff_client, sync_rows, company):
    sent = OutboxItem.objects.create(
        company=company, entity="Bill", target=company, operation="create", status=OutboxItem.Status.SENT
    )
    url = reverse("admin:quickbooks_outboxitem_changelist")

    by_status = staff_client.get(url, {"status__exact": "sent"}).context["cl"].queryset
    by_request_id = staff_client.get(url, {"q": sent.request_id}).context["cl"].queryset

    assert list(by_status) == [sent]
    assert list(by_request_id) == [sent]


def test_webhook_events_can_be_filtered_by_processed(staff_client, sync_rows, company):
    done = WebhookEvent.objects.create(
        company=company,
        realm_id="123",
        event_key="k2",
        entity="Bill",
        qbo_id="1",
        operation="Create",
        processed_at=timezone.now(),
    )
    url = reverse("admin:quickbooks_webhookevent_changelist")

    processed = staff_client.get(url, {"processed_at__isempty": "0"}).context["cl"].queryset

    assert list(processed) == [done]


def test_retry_selected_requeues_refused_items_only(
    staff_client, sync_rows, company, sent_tasks, django_capture_on_commit_callbacks
):
    failed = sync_rows["outboxitem"]
    conflict = OutboxItem.objects.create(
        company=company, entity="Bill", target=company, operation="update", status=OutboxItem.Status.CONFLICT
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:quickbooks_outboxitem_changelist"),
            {"action": "retry_selected", "_selected_action": [failed.pk, conflict.pk]},
            follow=True,
        )

    assert "1 item(s) queued to be sent again; 1 skipped" in response.content.decode()
    failed.refresh_from_db()
    conflict.refresh_from_db()
    assert (failed.status, conflict.status) == (OutboxItem.Status.PENDING, OutboxItem.Status.CONFLICT)
    assert sent_tasks == [(SEND, [failed.pk], {})]


def test_staff_without_change_permission_on_the_outbox_are_not_offered_retry(client, sync_rows):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_outboxitem"))
    client.force_login(user)

    response = client.get(reverse("admin:quickbooks_outboxitem_changelist"))

    assert response.status_code == 200
    assert "retry_selected" not in response.content.decode()
