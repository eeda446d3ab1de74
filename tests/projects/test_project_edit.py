"""New / edit / delete project pages: validation that keeps what was typed, one transaction for the project and its
outbox row, the plain message on plans without the Projects API, and who may do what."""

from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from projects.models import Project
from projects.project import push
from quickbooks.context_processors import quickbooks_links
from quickbooks.models import Company, Connection, OutboxItem, ReferenceRecord, Role, SyncState
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def project_push_registered(monkeypatch):
    """ProjectsConfig.ready registers it once the lead wires it; registering again is harmless."""
    push.register()
    from config.celery import app

    monkeypatch.setattr(app, "send_task", lambda *args, **kwargs: None)  # no broker here


def connect(company, projects_api=True):
    company.connection_state = Company.ConnectionState.CONNECTED
    company.realm_id = f"9341{company.pk:08d}"
    company.save()
    Connection.objects.update_or_create(company=company, defaults={"capabilities": {"projects_api": projects_api}})
    return company


def reference(company, entity, qbo_id, name, active=True, **flags):
    return ReferenceRecord.objects.create(
        company=company,
        entity=entity,
        qbo_id=qbo_id,
        name=name,
        active=active,
        qbo_document={"Id": qbo_id, "DisplayName": name},
        **flags,
    )


@pytest.fixture
def advanced(company):
    """Connected on a plan with the Projects API; customers of every kind, a vendor and one project."""
    connect(company)
    reference(company, "Customer", "7", "Okafor Residence")
    reference(company, "Customer", "8", "Dormant Holdings", active=False)
    reference(company, "Customer", "16", "Kitchen Remodel", is_project=True, is_job=True, parent_qbo_id="7")
    reference(company, "Vendor", "30", "Lumber Yard")
    return company


@pytest.fixture
def existing(advanced):
    return Project.objects.create(
        company=advanced,
        qbo_id="16",
        name="Kitchen Remodel",
        customer_qbo_id="7",
        customer_name="Okafor Residence",
        status=Project.Status.IN_PROGRESS,
        priority=2,
        start_date=date(2026, 3, 1),
        due_date=date(2026, 6, 30),
        completion_rate=Decimal("40.00"),
        email_addresses=[{"email": "pm@okafor.example"}],
    )


def form_data(**changes) -> dict:
    data = {
        "name": "Deck Rebuild",
        "customer": "7",
        "description": "Cedar deck, 400 sq ft",
        "status": "OPEN",
        "priority": "3",
        "start_date": "2026-05-01",
        "due_date": "2026-07-15",
        "completion_rate": "12.5",
        "pinned": "on",
        "email_addresses": "site@okafor.example, office@okafor.example",
    }
    return {**data, **changes}


def new_url(company):
    return reverse("projects:project-new", args=[company.pk])


def edit_url(project):
    return reverse("projects:project-edit", args=[project.company_id, project.pk])


def delete_url(project):
    return reverse("projects:project-delete", args=[project.company_id, project.pk])


# --- Create ---------------------------------------------------------------------------------------------------


def test_an_accountant_creates_a_project_that_is_saved_and_queued_for_quickbooks(advanced, login, accountant):
    response = login(accountant).post(new_url(advanced), form_data())

    project = Project.objects.get(company=advanced, name="Deck Rebuild")
    assert response.status_code == 302 and response.url == reverse(
        "reports:project-detail", args=[advanced.pk, project.pk]
    )
    assert (project.customer_qbo_id, project.customer_name) == ("7", "Okafor Residence")
    assert (project.status, project.priority, project.pinned) == ("OPEN", 3, True)
    assert (project.start_date, project.due_date) == (date(2026, 5, 1), date(2026, 7, 15))
    assert project.completion_rate == Decimal("12.5")
    assert project.email_addresses == [{"email": "site@okafor.example"}, {"email": "office@okafor.example"}]
    assert project.qbo_id == "" and project.sync_state == SyncState.PENDING_PUSH
    item = OutboxItem.objects.get()
    assert (item.entity, item.operation, item.object_id) == ("Project", "create", project.pk)


def test_the_customer_list_offers_only_active_customers_that_are_not_projects(advanced, login, accountant):
    html = login(accountant).get(new_url(advanced)).content.decode()

    assert 'value="7"' in html and "Okafor Residence" in html
    assert 'value="8"' not in html and 'value="16"' not in html and "Lumber Yard" not in html


def test_the_document_sent_to_quickbooks_carries_the_form_fields(advanced, login, accountant):
    login(accountant).post(new_url(advanced), form_data(completion_rate="40", pinned=""))
    document = push.project_to_document(Project.objects.get(name="Deck Rebuild"))

    assert document["customer"] == {"id": "7"} and document["account"] == {"id": advanced.realm_id}
    assert document["startDate"] == "2026-05-01T00:00:00.000Z" and document["dueDate"] == "2026-07-15T00:00:00.000Z"
    assert document["completionRate"] == Decimal("40") and document["pinned"] is False
    assert document["emailAddress"] == [{"email": "site@okafor.example"}, {"email": "office@okafor.example"}]


# --- Validation: a clear message, nothing saved, nothing lost ----------------------------------------------------


def refused(client, url, data, message):
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400, html[:500]
    assert message in html, html
    assert "Everything you typed is still here" in html
    return html


def test_a_due_date_before_the_start_is_refused_and_the_typed_values_stay(advanced, login, accountant):
    html = refused(
        login(accountant),
        new_url(advanced),
        form_data(start_date="2026-08-01", due_date="2026-07-15"),
        "The due date (2026-07-15) is before the start date (2026-08-01).",
    )

    assert 'value="Deck Rebuild"' in html and "Cedar deck, 400 sq ft" in html and 'value="12.5"' in html
    assert "site@okafor.example, office@okafor.example" in html
    assert not Project.objects.exists() and not OutboxItem.objects.exists()


@pytest.mark.parametrize("priority", ["10", "-1", "high"])
def test_a_priority_outside_0_to_9_is_refused(advanced, login, accountant, priority):
    refused(
        login(accountant),
        new_url(advanced),
        form_data(priority=priority),
        "Priority is a whole number from 0 (none) to 9.",
    )
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("customer", "message"),
    [
        ("999", "Choose a customer from the list (QuickBooks has no customer with id 999)."),
        ("16", "Kitchen Remodel is itself a project: choose the customer the project is for."),
        ("8", "Dormant Holdings is inactive in QuickBooks"),
        ("", "Choose the customer this project is for."),
    ],
)
def test_a_customer_that_cannot_have_a_project_is_refused(advanced, login, accountant, customer, message):
    refused(login(accountant), new_url(advanced), form_data(customer=customer), message)
    assert not Project.objects.exists() and not OutboxItem.objects.exists()


@pytest.mark.parametrize("name", ["kitchen remodel", "  Kitchen Remodel ", "LUMBER YARD", "Okafor Residence"])
def test_a_name_quickbooks_already_uses_is_refused_whatever_the_case(existing, login, accountant, name):
    refused(login(accountant), new_url(existing.company), form_data(name=name), "is already named")
    assert Project.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("completion_rate", "150", "Completion is a percentage from 0 to 100."),
        ("completion_rate", "forty", "Completion is a percentage from 0 to 100. For example 40 or 62.5."),
        ("email_addresses", "site@okafor.example, not-an-address", "Not an email address: not-an-address."),
        ("name", "Okafor: Deck", "QuickBooks does not allow a colon in a project name."),
        ("name", "", "Give the project a name."),
        ("start_date", "01/05/2026", "Enter a date as YYYY-MM-DD"),
        ("name", "x" * 501, "QuickBooks allows at most 500 characters in a project name."),
        ("description", "x" * 2001, "QuickBooks takes at most 2,000 characters here."),
        ("completion_rate", "1" * 40, "Completion is a percentage from 0 to 100."),
    ],
)
def test_other_bad_input_gets_its_own_message(advanced, login, accountant, field, value, message):
    refused(login(accountant), new_url(advanced), form_data(**{field: value}), message)
    assert not Project.objects.exists()


# --- Edit -----------------------------------------------------------------------------------------------------


def test_the_edit_form_shows_the_project_as_it_is(existing, login, admin_user):
    html = login(admin_user).get(edit_url(existing)).content.decode()

    assert 'value="Kitchen Remodel"' in html and 'value="2026-06-30"' in html and 'value="40.00"' in html
    assert '<option value="IN_PROGRESS" selected>' in html and '<option value="7" selected>' in html
    assert "pm@okafor.example" in html


def test_an_edit_saves_the_changes_and_queues_an_update_keeping_its_own_name(existing, login, accountant):
    data = form_data(
        name="Kitchen Remodel",
        status="BLOCKED",
        priority="",
        due_date="2026-09-30",
        completion_rate="55",
        pinned="",
        email_addresses="",
    )

    response = login(accountant).post(edit_url(existing), data)

    assert response.status_code == 302
    existing.refresh_from_db()
    assert (existing.status, existing.priority, existing.due_date) == ("BLOCKED", None, date(2026, 9, 30))
    assert existing.completion_rate == Decimal("55") and existing.email_addresses == [] and not existing.pinned
    assert existing.sync_state == SyncState.PENDING_PUSH
    assert OutboxItem.objects.get().operation == "update"
    update = push.project_to_document(existing)
    assert update["priority"] is None and update["emailAddress"] == []  # cleared in QuickBooks too


def test_a_deleted_project_cannot_be_edited(existing, login, accountant):
    Project.objects.filter(pk=existing.pk).update(deleted=True)

    response = login(accountant).post(edit_url(existing), form_data(name="Revived"))

    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.name == "Kitchen Remodel" and not OutboxItem.objects.exists()


# --- Delete ---------------------------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_first(existing, login, accountant):
    response = login(accountant).get(delete_url(existing))

    assert response.status_code == 200 and "Delete project" in response.content.decode()
    existing.refresh_from_db()
    assert not existing.deleted and not OutboxItem.objects.exists()


def test_a_confirmed_delete_leaves_the_dashboard_marks_the_page_and_queues_it(existing, login, admin_user):
    client = login(admin_user)

    response = client.post(delete_url(existing))

    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.deleted and existing.sync_state == SyncState.PENDING_PUSH
    assert OutboxItem.objects.get().entity == "Project"
    assert (
        "Kitchen Remodel" not in client.get(reverse("reports:dashboard", args=[existing.company_id])).content.decode()
    )
    page = client.get(reverse("reports:project-detail", args=[existing.company_id, existing.pk])).content.decode()
    assert "project-deleted" in page


# --- Plans without the Projects API ---------------------------------------------------------------------------


@pytest.fixture
def plus(company):
    connect(company, projects_api=False)
    reference(company, "Customer", "7", "Okafor Residence")
    return company


@pytest.mark.parametrize("page", ["new", "edit", "delete"])
def test_on_plus_the_pages_say_projects_are_made_in_quickbooks_and_show_no_form(
    plus, login, admin_user, page, settings
):
    settings.QBO_APP_URL = "https://app.qbo.intuit.com/app"  # Intuit's (the sandbox's own pages are its default)
    project = Project.objects.create(company=plus, qbo_id="16", name="Kitchen Remodel", customer_qbo_id="7")
    url = {"new": new_url(plus), "edit": edit_url(project), "delete": delete_url(project)}[page]

    html = login(admin_user).get(url).content.decode()

    assert "does not include the Projects API" in html and "appear here after the next sync" in html
    assert 'href="https://app.qbo.intuit.com/app/projects"' in html
    assert "project-form" not in html and "Delete project</button>" not in html


@pytest.mark.parametrize("page", ["new", "edit", "delete"])
def test_on_plus_a_post_is_refused_and_changes_nothing(plus, login, admin_user, page):
    project = Project.objects.create(company=plus, qbo_id="16", name="Kitchen Remodel", customer_qbo_id="7")
    url = {"new": new_url(plus), "edit": edit_url(project), "delete": delete_url(project)}[page]

    response = login(admin_user).post(url, form_data(name="Kitchen Remodel"))

    assert response.status_code == 403
    project.refresh_from_db()
    assert Project.objects.count() == 1 and not project.deleted and project.status == "OTHER"
    assert not OutboxItem.objects.exists()


def test_a_company_not_connected_gets_the_same_message(company, login, admin_user):
    Connection.objects.create(company=company, capabilities={"projects_api": True})  # disconnected since

    response = login(admin_user).get(new_url(company))

    assert response.status_code == 200 and "does not include the Projects API" in response.content.decode()


# --- Roles and tenants ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PROJECT_MANAGER])
def test_viewers_and_project_managers_get_403_on_every_page(existing, login, role):
    user = MembershipFactory(company=existing.company, role=role).user
    client = login(user)

    for url in (new_url(existing.company), edit_url(existing), delete_url(existing)):
        assert client.get(url).status_code == 403
        assert client.post(url, form_data(name="Sneaky")).status_code == 403
    assert client.get(reverse("reports:project-detail", args=[existing.company_id, existing.pk])).status_code == 200
    existing.refresh_from_db()
    assert not existing.deleted and Project.objects.count() == 1 and not OutboxItem.objects.exists()


def test_another_companys_project_is_not_found(existing, login, outsider):
    client = login(outsider)

    for url in (new_url(existing.company), edit_url(existing), delete_url(existing)):
        assert client.get(url).status_code == 404
        assert client.post(url, form_data()).status_code == 404


def test_a_project_of_another_company_is_not_found_through_ones_own(existing, login, admin_user):
    mine = connect(CompanyFactory(name="Mine"))
    MembershipFactory(company=mine, user=admin_user, role=Role.ADMIN)

    response = login(admin_user).get(reverse("projects:project-edit", args=[mine.pk, existing.pk]))

    assert response.status_code == 404


# --- The actions partial for the project page ---------------------------------------------------------------


def actions(company, project, role) -> str:
    membership = MembershipFactory(company=company, role=role)
    context = {"company": company, "project": project, "current_membership": membership}
    return render_to_string("projects/_project_actions.html", {**quickbooks_links(None), **context})


def test_the_actions_offer_edit_and_delete_to_accountants_on_a_projects_api_plan(existing):
    html = actions(existing.company, existing, Role.ACCOUNTANT)

    assert edit_url(existing) in html and delete_url(existing) in html


def test_the_actions_give_the_plan_message_on_plus_and_nothing_to_viewers(plus, settings):
    settings.QBO_APP_URL = "https://app.qbo.intuit.com/app"
    project = Project.objects.create(company=plus, qbo_id="16", name="Kitchen Remodel", customer_qbo_id="7")

    html = actions(plus, project, Role.ADMIN)
    assert "created and changed in" in html and "app.qbo.intuit.com/app/projects" in html
    assert edit_url(project) not in html
    assert actions(plus, project, Role.VIEWER).strip() == ""
