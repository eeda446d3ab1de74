"""What QuickBooks would refuse is refused first, in words, with nothing queued and nothing lost: a total that is not
positive, a parent that is not an accepted project estimate of the project, a plan without change orders, a
deletion before the change order has arrived; and only the roles the workflow names may act."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from changeorders.models import ChangeOrder
from changeorders.push import check_change_order
from projects.models import Estimate, Project
from quickbooks.models import OutboxItem, SyncState
from quickbooks.sync import pull
from quickbooks.sync.push import outbox_send
from tests.live_quickbooks import connect_through_consent, new_realm, rid

from .conftest import change_order_data, extra_cabinet, new_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_total_that_is_not_positive_is_refused_on_the_form_with_everything_kept(
    connected_company, project, accepted_estimate, project_setup, sent, login, accountant
):
    item = project_setup["item"]
    lines = [extra_cabinet(item, qty="1", price="100"), extra_cabinet(item, qty="-2", price="100")]
    page = login(accountant).post(new_url(connected_company, project), change_order_data(accepted_estimate, lines))
    text = page.content.decode()
    assert page.status_code == 400
    assert "total is -100.00: QuickBooks takes a change order only when its total is positive" in text
    assert 'name="lines-1-qty" value="-2"' in text  # what was typed is still there
    assert not ChangeOrder.objects.exists() and not OutboxItem.objects.exists()


def test_only_accepted_project_estimates_of_the_project_can_be_changed(
    connected_company, project, accepted_estimate, project_setup, qb, sent, login, accountant
):
    pending = qb.create(
        "Estimate",
        {
            "CustomerRef": {"value": project_setup["customer"]},
            "ProjectRef": {"value": project.qbo_id},
            "Line": [
                {
                    "Amount": Decimal("50"),
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": project_setup["item"]},
                        "Qty": 1,
                        "UnitPrice": Decimal("50"),
                    },
                }
            ],
        },
        request_id=rid(),
    )
    pull.pull_changes(company=connected_company)
    client = login(accountant)
    form = client.get(new_url(connected_company, project)).content.decode()
    pending_row = Estimate.objects.get(qbo_id=pending["Id"])
    assert f'<option value="{accepted_estimate.pk}"' in form and f'<option value="{pending_row.pk}"' not in form

    page = client.post(
        new_url(connected_company, project), change_order_data(pending_row, [extra_cabinet(project_setup["item"])])
    )
    assert page.status_code == 400
    assert "Choose one of this project&#x27;s accepted project estimates in QuickBooks." in page.content.decode()
    assert not ChangeOrder.objects.exists()


def test_the_outbox_checks_the_parent_before_sending_so_quickbooks_never_answers_2020(
    connected_company, project, accepted_estimate, project_setup, sent, login, accountant, qbo
):
    client = login(accountant)
    client.post(
        new_url(connected_company, project),
        change_order_data(accepted_estimate, [extra_cabinet(project_setup["item"])], action="save"),
    )
    change_order = ChangeOrder.objects.get()
    # queued (it names its project), and meanwhile its parent went
    ChangeOrder.objects.filter(pk=change_order.pk).update(estimate=None, project_qbo_id=project.qbo_id)
    change_order.refresh_from_db()
    with pytest.raises(ValidationError, match="Choose the project estimate this change order changes"):
        check_change_order(change_order)

    ChangeOrder.objects.filter(pk=change_order.pk).update(
        estimate=accepted_estimate, estimate_qbo_id="999999", project_qbo_id=project.qbo_id
    )
    item = OutboxItem.objects.create(
        company=connected_company, entity="ChangeOrder", content_type_id=_content_type(), object_id=change_order.pk
    )
    requests_before = _requests(qbo)
    assert outbox_send(item_id=item.pk) == "failed"
    change_order.refresh_from_db()
    assert change_order.sync_state == SyncState.FAILED and "not in QuickBooks yet" in change_order.sync_error
    assert _requests(qbo) == requests_before  # refused here: QuickBooks holds no change order more


def _content_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(ChangeOrder).pk


def _requests(sandbox) -> dict:
    """Every realm's change orders as the sandbox holds them."""
    return {
        realm["realm_id"]: realm["entities"].get("ChangeOrder", 0)
        for realm in sandbox.control("get", "state").json()["realms"]
    }


def test_a_plan_without_change_orders_gets_no_form_and_says_so(qbo, login, admin_user, company, sent):
    client = login(admin_user)
    connect_through_consent(client, new_realm(qbo, plan="plus"), company)
    pull.pull_full(company=company)
    project = Project.objects.create(company=company, name="Porch", customer_name="Lee")
    page = client.get(new_url(company, project))
    assert page.status_code == 200 and "No change orders on this plan" in page.content.decode()
    assert 'name="lines-TOTAL_FORMS"' not in page.content.decode()
    detail = client.get(reverse("reports:project-detail", args=[company.pk, project.pk])).content.decode()
    assert "has no change orders" in detail and reverse("changeorders:new", args=[company.pk, project.pk]) not in detail


def test_a_change_order_on_its_way_cannot_be_deleted_until_it_has_arrived(
    connected_company, project, accepted_estimate, project_setup, sent, login, accountant
):
    client = login(accountant)
    client.post(
        new_url(connected_company, project),
        change_order_data(accepted_estimate, [extra_cabinet(project_setup["item"])]),
    )
    change_order = ChangeOrder.objects.get()
    delete_url = reverse("changeorders:delete", args=[connected_company.pk, project.pk, change_order.pk])
    page = client.post(delete_url, follow=True)
    assert "still on its way to QuickBooks" in page.content.decode()
    assert list(OutboxItem.objects.values_list("operation", flat=True)) == ["create"]


def test_roles_project_managers_draft_accountants_send_viewers_read(
    connected_company, project, accepted_estimate, project_setup, sent, login, project_manager, viewer, accountant
):
    data = change_order_data(accepted_estimate, [extra_cabinet(project_setup["item"])])
    assert login(project_manager).post(new_url(connected_company, project), data).status_code == 403  # send
    assert login(viewer).get(new_url(connected_company, project)).status_code == 403
    login(project_manager).post(new_url(connected_company, project), {**data, "action": "save"})
    change_order = ChangeOrder.objects.get()
    send_url = reverse("changeorders:send", args=[connected_company.pk, project.pk, change_order.pk])
    assert login(project_manager).post(send_url).status_code == 403
    assert (
        login(viewer)
        .get(reverse("changeorders:detail", args=[connected_company.pk, project.pk, change_order.pk]))
        .status_code
        == 200
    )
    assert login(accountant).post(send_url).status_code == 302 and OutboxItem.objects.count() == 1
