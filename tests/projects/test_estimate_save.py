"""Saving an estimate: one transaction with its outbox row, drafts that queue nothing, the ProjectRef check, status,
and what the estimate's page says about QuickBooks (pending, refused, in conflict)."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.estimates import services
from projects.models import Estimate, EstimateLine, TxnStatus
from quickbooks.models import OutboxItem, SyncState
from tests.projects.test_estimate_form import THREE_LINES, form_data, nothing_saved, post_new, project, references

pytestmark = pytest.mark.django_db
__all__ = ["project", "references"]  # fixtures


def outbox_of(estimate):
    content_type = ContentType.objects.get_for_model(Estimate)
    return list(OutboxItem.objects.filter(content_type=content_type, object_id=estimate.pk))


@pytest.fixture
def synced(company, project):
    """An estimate already in QuickBooks (Id 55, SyncToken 3) with one line."""
    estimate = Estimate.objects.create(
        company=company,
        project=project,
        project_qbo_id="16",
        customer_qbo_id="7",
        customer_name="Okafor Residence",
        qbo_id="55",
        sync_token="3",
        txn_date=date(2026, 4, 1),
        total_amount=Decimal("1000.00"),
    )
    EstimateLine.objects.create(
        estimate=estimate,
        line_id="1",
        line_num=1,
        item_qbo_id="1",
        item_name="Cabinets",
        description="Uppers",
        qty=4,
        unit_price=250,
        amount=Decimal("1000.00"),
        tax_code="NON",
    )
    return estimate


def detail_url(estimate):
    return reverse("projects:estimate-detail", args=[estimate.company_id, estimate.project_id, estimate.pk])


def test_an_accountants_save_and_send_queues_the_estimate_in_the_same_save(
    login, accountant, company, project, references
):
    response = post_new(login(accountant), company, project, THREE_LINES)

    estimate = Estimate.objects.get()
    assert response.status_code == 302 and response.url == detail_url(estimate)
    [item] = outbox_of(estimate)
    assert (item.operation, item.status, item.entity) == ("create", "pending", "Estimate")
    assert estimate.sync_state == SyncState.PENDING_PUSH and estimate.lines.count() == 3
    assert (estimate.customer_qbo_id, estimate.customer_name, estimate.project_qbo_id) == (
        "7",
        "Okafor Residence",
        "16",
    )


def test_a_project_managers_save_is_a_draft_and_queues_nothing(login, project_manager, company, project, references):
    client = login(project_manager)
    response = post_new(client, company, project, THREE_LINES, action="save")

    estimate = Estimate.objects.get()
    assert outbox_of(estimate) == [] and not OutboxItem.objects.exists()
    assert estimate.project_id == project.pk and estimate.project_qbo_id == ""  # no ProjectRef until it is sent
    page = client.get(response.url).content.decode()
    assert "Draft, not yet in QuickBooks" in page and "An accountant will send it to QuickBooks." in page


def test_drafts_do_not_count_toward_the_dashboards_contract_value(login, project_manager, company, project, references):
    client = login(project_manager)
    post_new(client, company, project, THREE_LINES, action="save")

    response = client.get(reverse("reports:dashboard", args=[company.pk]))
    assert response.context["projects"][0].contract_value == Decimal("0")


def test_an_accountant_sends_a_project_managers_draft(login, project_manager, accountant, company, project, references):
    post_new(login(project_manager), company, project, THREE_LINES, action="save")
    estimate = Estimate.objects.get()

    response = login(accountant).post(reverse("projects:estimate-send", args=[company.pk, project.pk, estimate.pk]))

    estimate.refresh_from_db()
    assert response.status_code == 302
    assert [item.operation for item in outbox_of(estimate)] == ["create"]
    assert estimate.project_qbo_id == "16" and estimate.sync_state == SyncState.PENDING_PUSH


def test_an_estimate_for_a_project_quickbooks_no_longer_has_is_refused_with_the_fix_and_nothing_queued(
    login, accountant, company, project, references
):
    project.deleted = True  # deleted in QuickBooks: a ProjectRef to it is "Invalid ProjectRef"
    project.save()

    response = post_new(login(accountant), company, project, THREE_LINES)

    assert response.status_code == 400
    message = " ".join(response.context["form"].non_field_errors())
    assert "Invalid ProjectRef" in message and "make the customer a project in QuickBooks" in message
    assert "CustomerRef" in message and "Nothing was sent." in message
    assert nothing_saved()
    assert 'value="Uppers"' in response.content.decode()  # what was typed is still there


def test_sending_a_draft_whose_project_is_gone_explains_and_queues_nothing(
    login, project_manager, accountant, company, project, references
):
    post_new(login(project_manager), company, project, THREE_LINES, action="save")
    estimate = Estimate.objects.get()
    project.deleted = True
    project.save()

    response = login(accountant).post(
        reverse("projects:estimate-send", args=[company.pk, project.pk, estimate.pk]), follow=True
    )

    assert "Invalid ProjectRef" in response.content.decode()
    assert not OutboxItem.objects.exists() and Estimate.objects.get().project_qbo_id == ""


def test_the_estimate_its_lines_and_its_outbox_row_are_saved_together_or_not_at_all(
    monkeypatch, accountant, company, project
):
    def enqueue_then_fail(*, obj):
        OutboxItem.objects.create(
            company=obj.company,
            entity="Estimate",
            object_id=obj.pk,
            operation="create",
            content_type=ContentType.objects.get_for_model(Estimate),
        )
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "outbox_enqueue", enqueue_then_fail)
    estimate = Estimate(company=company, project=project, txn_date=date(2026, 5, 1))
    lines = [{"item_qbo_id": "1", "qty": Decimal("1"), "unit_price": Decimal("10")}]

    with pytest.raises(RuntimeError):
        services.estimate_save(estimate=estimate, lines=lines, by=accountant.memberships.get(), send=True)
    assert nothing_saved()


def test_editing_a_synced_estimate_queues_an_update_keeping_quickbooks_line_ids(
    login, accountant, company, project, references, synced
):
    data = form_data(
        [
            {"line_id": "1", "item": "1", "description": "Uppers, maple", "qty": "5", "unit_price": "250"},
            {"line_id": "99", "item": "2", "qty": "1", "unit_price": "85.50"},
        ],
        version="3",
    )
    data["lines-INITIAL_FORMS"] = "1"

    login(accountant).post(reverse("projects:estimate-edit", args=[company.pk, project.pk, synced.pk]), data)

    synced.refresh_from_db()
    assert [item.operation for item in outbox_of(synced)] == ["update"]
    assert synced.sync_state == SyncState.PENDING_PUSH and synced.total_amount == Decimal("1335.50")
    assert list(synced.lines.values_list("line_id", "description")) == [("1", "Uppers, maple"), ("", "")]
    assert (synced.qbo_id, synced.sync_token) == ("55", "3")  # QuickBooks' own fields are the outbox's to change


def test_an_edit_made_while_quickbooks_changed_the_estimate_is_held_back_with_the_typing_kept(
    login, accountant, company, project, references, synced
):
    Estimate.objects.filter(pk=synced.pk).update(sync_token="4")  # a pull brought a newer version meanwhile
    data = form_data(
        [{"line_id": "1", "item": "1", "description": "Uppers, oak", "qty": "5", "unit_price": "250"}], version="3"
    )

    response = login(accountant).post(reverse("projects:estimate-edit", args=[company.pk, project.pk, synced.pk]), data)

    assert response.status_code == 409
    assert "changed in QuickBooks" in " ".join(response.context["form"].non_field_errors())
    assert 'value="Uppers, oak"' in response.content.decode() and 'value="4"' in response.content.decode()
    assert outbox_of(synced) == [] and synced.lines.get().description == "Uppers"


def test_a_project_manager_may_not_edit_an_estimate_that_is_in_quickbooks(
    login, project_manager, company, project, synced
):
    response = login(project_manager).get(reverse("projects:estimate-edit", args=[company.pk, project.pk, synced.pk]))

    assert response.status_code == 403


def test_accepting_an_estimate_records_who_and_when_and_queues_it(login, accountant, company, project, synced):
    url = reverse("projects:estimate-status", args=[company.pk, project.pk, synced.pk])
    login(accountant).post(url, {"status": "Accepted", "accepted_by": "R. Okafor", "accepted_date": "2026-05-03"})

    synced.refresh_from_db()
    assert (synced.status, synced.accepted_by, synced.accepted_date) == ("Accepted", "R. Okafor", date(2026, 5, 3))
    assert [item.operation for item in outbox_of(synced)] == ["update"]


def test_a_status_other_than_accepted_clears_the_acceptance(login, accountant, company, project, synced):
    Estimate.objects.filter(pk=synced.pk).update(status=TxnStatus.ACCEPTED, accepted_by="R. Okafor")
    url = reverse("projects:estimate-status", args=[company.pk, project.pk, synced.pk])
    login(accountant).post(url, {"status": "Rejected", "accepted_by": "R. Okafor", "accepted_date": "2026-05-03"})

    synced.refresh_from_db()
    assert (synced.status, synced.accepted_by, synced.accepted_date) == ("Rejected", "", None)


def test_a_converted_estimates_status_is_left_alone(accountant, company, project, synced):
    synced.status = TxnStatus.CONVERTED
    with pytest.raises(ValidationError, match="converted to an invoice"):
        services.estimate_set_status(
            estimate=synced, status="Pending", accepted_by="", accepted_date=None, by=accountant.memberships.get()
        )
    assert not OutboxItem.objects.exists()


def test_a_refused_estimate_shows_quickbooks_reason(login, viewer, synced):
    Estimate.objects.filter(pk=synced.pk).update(
        sync_state=SyncState.FAILED, sync_error="QuickBooks says: the item Cabinets is inactive."
    )

    page = login(viewer).get(detail_url(synced)).content.decode()

    assert "QuickBooks refused it" in page and "the item Cabinets is inactive." in page


def test_an_estimate_in_conflict_links_to_its_conflict_page_and_cannot_be_edited_until_resolved(
    login, accountant, company, project, synced
):
    item = OutboxItem.objects.create(
        company=company,
        entity="Estimate",
        object_id=synced.pk,
        operation="update",
        status=OutboxItem.Status.CONFLICT,
        content_type=ContentType.objects.get_for_model(Estimate),
    )
    Estimate.objects.filter(pk=synced.pk).update(
        sync_state=SyncState.CONFLICT, sync_error="Changed in QuickBooks too: PrivateNote."
    )
    client = login(accountant)

    page = client.get(detail_url(synced)).content.decode()
    edit = client.get(reverse("projects:estimate-edit", args=[company.pk, project.pk, synced.pk]))

    assert (
        reverse("quickbooks:sync-conflict", args=[company.pk, item.pk]) in page and "Changed in QuickBooks too" in page
    )
    assert edit.status_code == 302 and edit.url == detail_url(synced)


def test_the_edit_form_opens_with_the_saved_lines_and_prices_to_the_cent(
    login, accountant, company, project, references, synced
):
    client = login(accountant)
    form = client.get(reverse("projects:estimate-edit", args=[company.pk, project.pk, synced.pk])).content.decode()
    page = client.get(detail_url(synced)).content.decode()

    assert 'value="Uppers"' in form and 'name="lines-0-qty" value="4"' in form and 'value="250.00"' in form
    assert 'name="version" value="3"' in form and "Save as draft" not in form  # in QuickBooks: edits are sent
    assert "4.0000000" not in page and "1,000.00" in page
