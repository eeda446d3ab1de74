"""Against the live sandbox: a project created in the form reaches QuickBooks' Projects API with its customer and
fields, an edit updates it there, a delete soft-deletes it there, and a retry after a lost reply never makes a
second project. The Plus plan gets the plain message instead of a form."""

import pytest
from django.urls import reverse

from projects.models import Project
from projects.project import push
from quickbooks.models import OutboxItem, SyncState
from quickbooks.sync import pull
from quickbooks.sync.push import outbox_send
from tests.live_quickbooks import connect_through_consent, new_realm, rid

pytestmark = pytest.mark.django_db(transaction=True)  # the outbox row is committed with the project

READ = push.READ


@pytest.fixture(autouse=True)
def _tasks_recorded(sent):
    """No worker runs here: tasks are recorded and the outbox is driven with outbox_send."""


@pytest.fixture
def customer(connected_company, qb):
    """A customer made in QuickBooks and pulled into Costline's name lists."""
    made = qb.create("Customer", {"DisplayName": f"Okafor {rid()[:6]}"}, request_id=rid())
    pull.pull_full(company=connected_company)
    return made


def remote(qb, qbo_id) -> dict:
    return qb.graphql(READ, {"id": qbo_id})["projectManagementProject"]


def projects_named(qb, name) -> list[dict]:
    nodes = qb.graphql_nodes(push.FIND, {"filter": {"deleted": True}}, ["projectManagementProjects"])
    return [node for node in nodes if node["name"] == name]


def form(customer_id, **changes) -> dict:
    data = {
        "name": f"Deck {rid()[:6]}",
        "customer": customer_id,
        "description": "Cedar deck",
        "status": "IN_PROGRESS",
        "priority": "4",
        "start_date": "2026-05-01",
        "due_date": "2026-07-15",
        "completion_rate": "12.5",
        "pinned": "on",
        "email_addresses": "site@okafor.example",
    }
    return {**data, **changes}


def send_the_one_waiting() -> str:
    item = OutboxItem.objects.get(status=OutboxItem.Status.PENDING)
    return outbox_send(item_id=item.pk)


def create_through_the_form(client, company, data) -> Project:
    response = client.post(reverse("projects:project-new", args=[company.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Project.objects.get(company=company, name=data["name"])


def test_a_project_created_in_the_form_reaches_quickbooks_with_its_customer_and_fields(
    connected_company, customer, qb, client, sent
):
    data = form(customer["Id"])
    project = create_through_the_form(client, connected_company, data)
    assert sent.outbox == [("quickbooks.tasks.outbox_send", [OutboxItem.objects.get().pk])]

    assert send_the_one_waiting() == "sent"

    project.refresh_from_db()
    there = remote(qb, project.qbo_id)
    assert there["name"] == data["name"] and there["customer"] == {"id": customer["Id"]}
    assert (there["status"], there["priority"], there["pinned"]) == ("IN_PROGRESS", 4, True)
    assert there["startDate"].startswith("2026-05-01") and there["dueDate"].startswith("2026-07-15")
    assert str(there["completionRate"]) == "12.5" and there["description"] == "Cedar deck"
    assert [address["email"] for address in there["emailAddress"]] == ["site@okafor.example"]
    assert project.sync_state == SyncState.SYNCED and project.project_document["id"] == project.qbo_id
    # QuickBooks made it a project customer under ours: the next pull keeps the one row, not a second
    pull.pull_full(company=connected_company)
    assert Project.objects.filter(company=connected_company, name=data["name"]).count() == 1
    assert qb.read("Customer", project.qbo_id)["ParentRef"]["value"] == customer["Id"]


def test_an_edit_in_the_form_updates_the_project_in_quickbooks(connected_company, customer, qb, client):
    data = form(customer["Id"])
    project = create_through_the_form(client, connected_company, data)
    send_the_one_waiting()
    project.refresh_from_db()

    edited = {
        **data,
        "status": "BLOCKED",
        "priority": "",
        "due_date": "2026-09-30",
        "completion_rate": "60",
        "pinned": "",
        "description": "Cedar deck, with stairs",
    }
    response = client.post(reverse("projects:project-edit", args=[connected_company.pk, project.pk]), edited)
    assert response.status_code == 302
    assert OutboxItem.objects.get(status=OutboxItem.Status.PENDING).operation == "update"

    assert send_the_one_waiting() == "sent"

    there = remote(qb, project.qbo_id)
    assert (there["status"], there["priority"], there["pinned"]) == ("BLOCKED", None, False)
    assert there["dueDate"].startswith("2026-09-30") and str(there["completionRate"]) == "60"
    assert there["description"] == "Cedar deck, with stairs" and there["name"] == data["name"]
    project.refresh_from_db()
    assert project.sync_state == SyncState.SYNCED and project.status == "BLOCKED"


def test_a_delete_soft_deletes_the_project_in_quickbooks(connected_company, customer, qb, client):
    project = create_through_the_form(client, connected_company, form(customer["Id"]))
    send_the_one_waiting()
    project.refresh_from_db()

    response = client.post(reverse("projects:project-delete", args=[connected_company.pk, project.pk]))
    assert response.status_code == 302
    assert send_the_one_waiting() == "sent"

    assert remote(qb, project.qbo_id)["deleted"] is True
    assert qb.read("Customer", project.qbo_id)["Active"] is False  # QuickBooks keeps it, inactive
    project.refresh_from_db()
    assert project.deleted and project.sync_state == SyncState.SYNCED
    dashboard = client.get(reverse("reports:dashboard", args=[connected_company.pk])).content.decode()
    assert project.name not in dashboard


def test_a_create_whose_reply_was_lost_adopts_the_project_instead_of_making_a_second(
    connected_company, customer, qb, client
):
    data = form(customer["Id"])
    project = create_through_the_form(client, connected_company, data)
    # The first attempt reached QuickBooks but its reply never came back: the project is there, unknown to us.
    first = qb.graphql(push.CREATE, {"input": {"name": data["name"], "customer": {"id": customer["Id"]}}})
    first_id = first["projectManagementCreateProject"]["id"]

    assert send_the_one_waiting() == "sent"

    assert [node["id"] for node in projects_named(qb, data["name"])] == [first_id]
    project.refresh_from_db()
    assert project.qbo_id == first_id and project.sync_state == SyncState.SYNCED
    assert remote(qb, first_id)["status"] == "IN_PROGRESS"  # and it now has what the form said


def test_a_delete_whose_reply_was_lost_is_done_not_failed_on_the_retry(connected_company, customer, qb, client):
    project = create_through_the_form(client, connected_company, form(customer["Id"]))
    send_the_one_waiting()
    project.refresh_from_db()
    client.post(reverse("projects:project-delete", args=[connected_company.pk, project.pk]))
    qb.graphql(push.DELETE, {"input": {"id": project.qbo_id}})  # the first try got through, unanswered

    assert send_the_one_waiting() == "sent"

    project.refresh_from_db()
    assert project.deleted and project.sync_state == SyncState.SYNCED and not project.sync_error


def test_quickbooks_refusal_comes_back_on_the_project_in_plain_words(connected_company, customer, qb, client):
    data = form(customer["Id"])
    project = create_through_the_form(client, connected_company, data)
    qb.create("Vendor", {"DisplayName": data["name"]}, request_id=rid())  # taken in QuickBooks since, not pulled

    assert send_the_one_waiting() == "failed"

    project.refresh_from_db()
    assert project.sync_state == SyncState.FAILED and "QuickBooks did not accept this" in project.sync_error
    assert data["name"] in project.sync_error and project.name == data["name"]  # nothing lost locally


def test_a_plus_company_gets_the_plain_message_and_its_post_is_refused(qbo, login, admin_user, company):
    connect_through_consent(login(admin_user), new_realm(qbo, plan="plus"), company)
    client = login(admin_user)

    page = client.get(reverse("projects:project-new", args=[company.pk]))
    posted = client.post(reverse("projects:project-new", args=[company.pk]), form("1"))

    html = page.content.decode()
    assert page.status_code == 200 and "does not include the Projects API" in html and "project-form" not in html
    assert posted.status_code == 403 and not Project.objects.filter(company=company).exists()
    assert not OutboxItem.objects.exists()
