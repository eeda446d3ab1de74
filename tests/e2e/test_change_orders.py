"""Change orders in the configuration a deployment runs: the sandbox's webhooks aimed at the app's live server, a
real Celery worker on the real broker, beat with the change-capture round and the outbox sweeper. The accepted
estimate arrives by webhook; a change order written in Costline is sent by the worker, accepted, and deleted; one
written in QuickBooks arrives by webhook with its parent."""

from decimal import Decimal

import pytest
from django.urls import reverse

from changeorders.contract import contract_value
from changeorders.models import ChangeOrder
from projects.models import Estimate, Project
from quickbooks.models import SyncState
from tests.changeorders.conftest import accept_estimate_in_quickbooks, change_order_data, extra_cabinet, new_url
from tests.e2e.conftest import wait_until
from tests.e2e.test_faults import webhooks_about
from tests.live_quickbooks import rid

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def synced(change_order_pk) -> ChangeOrder:
    assert wait_until(
        lambda: ChangeOrder.objects.filter(pk=change_order_pk, sync_state=SyncState.SYNCED).exclude(qbo_id="").exists(),
        timeout=60,
    ), ChangeOrder.objects.filter(pk=change_order_pk).values("sync_state", "sync_error").first()
    return ChangeOrder.objects.get(pk=change_order_pk)


def test_a_change_order_goes_from_form_to_quickbooks_and_back_with_webhooks_on(
    qbo, deploy, connected_company, project_setup, qb, login, accountant
):
    deploy()
    remote_estimate = accept_estimate_in_quickbooks(qb, project_setup)
    assert wait_until(lambda: Estimate.objects.filter(qbo_id=remote_estimate["Id"]).exists(), timeout=60)
    assert webhooks_about(qbo, "Estimate", remote_estimate["Id"]), "the estimate arrived by webhook"
    estimate = Estimate.objects.get(qbo_id=remote_estimate["Id"])
    project = Project.objects.get(company=connected_company, qbo_id=project_setup["project"])
    client = login(accountant)

    lines = [extra_cabinet(project_setup["item"], qty="2", price="300", cost="200")]
    assert client.post(new_url(connected_company, project), change_order_data(estimate, lines)).status_code == 302
    change_order = synced(ChangeOrder.objects.get(company=connected_company).pk)
    remote = qb.read("ChangeOrder", change_order.qbo_id)
    assert remote["LinkedTxn"] == [{"TxnId": estimate.qbo_id, "TxnType": "Estimate"}]
    assert wait_until(lambda: webhooks_about(qbo, "ChangeOrder", change_order.qbo_id), timeout=30)
    assert ChangeOrder.objects.filter(company=connected_company).count() == 1  # its own webhook made no second row

    status_url = reverse("changeorders:status", args=[connected_company.pk, project.pk, change_order.pk])
    client.post(status_url, {"status": "Accepted", "accepted_by": "Dana Reyes", "accepted_date": "2026-05-03"})
    assert wait_until(lambda: contract_value(project) == Decimal("1600.00"), timeout=60)
    assert qb.read("ChangeOrder", change_order.qbo_id)["TxnStatus"] == "Accepted"

    link = [{"TxnId": estimate.qbo_id, "TxnType": "Estimate"}]
    theirs = qb.create(
        "ChangeOrder",
        {
            "CustomerRef": {"value": project_setup["customer"]},
            "ProjectRef": {"value": project.qbo_id},
            "LinkedTxn": link,
            "TxnStatus": "Accepted",
            "Line": [
                {
                    "Amount": Decimal("150.00"),
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": project_setup["item"]}, "Qty": 1, "UnitPrice": 150},
                }
            ],
        },
        request_id=rid(),
    )
    assert wait_until(lambda: ChangeOrder.objects.filter(qbo_id=theirs["Id"]).exists(), timeout=60)
    assert ChangeOrder.objects.get(qbo_id=theirs["Id"]).estimate == estimate
    assert contract_value(project) == Decimal("1750.00")

    client.post(reverse("changeorders:delete", args=[connected_company.pk, project.pk, change_order.pk]))
    assert wait_until(lambda: not ChangeOrder.objects.filter(pk=change_order.pk).exists(), timeout=60)
    assert contract_value(project) == Decimal("1150.00")
    assert qb.read("Estimate", estimate.qbo_id)["TotalAmt"] == Decimal("1000.00")  # the estimate stays as it was
