"""Who may do what with estimates: viewers read, project managers draft, accountants and admins send; other
companies' estimates are a 404."""

from datetime import date

import pytest
from django.urls import reverse

from projects.models import Estimate, Project
from quickbooks.models import OutboxItem, Role
from tests.projects.test_estimate_form import THREE_LINES, form_data, nothing_saved, project, references

pytestmark = pytest.mark.django_db
__all__ = ["project", "references"]  # fixtures


@pytest.fixture
def estimate(company, project):
    return Estimate.objects.create(
        company=company,
        project=project,
        customer_qbo_id="7",
        qbo_id="55",
        project_qbo_id="16",
        txn_date=date(2026, 4, 1),
    )


def urls(company, project, estimate) -> dict:
    ids = [company.pk, project.pk, estimate.pk]
    return {
        "new": reverse("projects:estimate-new", args=ids[:2]),
        "detail": reverse("projects:estimate-detail", args=ids),
        "edit": reverse("projects:estimate-edit", args=ids),
        "status": reverse("projects:estimate-status", args=ids),
        "send": reverse("projects:estimate-send", args=ids),
    }


def test_every_member_reads_an_estimate(login, member, company, project, estimate):
    assert login(member).get(urls(company, project, estimate)["detail"]).status_code == 200


def test_a_viewer_may_not_write_estimates(login, viewer, company, project, estimate, references):
    client, url = login(viewer), urls(company, project, estimate)

    assert client.get(url["new"]).status_code == 403
    assert client.post(url["new"], form_data(THREE_LINES, action="save")).status_code == 403
    assert client.post(url["status"], {"status": "Accepted"}).status_code == 403
    assert Estimate.objects.count() == 1 and Estimate.objects.get().status == "Pending"
    assert not OutboxItem.objects.exists()


def test_a_project_manager_drafts_but_may_not_send(login, project_manager, company, project, references):
    client, url = login(project_manager), reverse("projects:estimate-new", args=[company.pk, project.pk])

    page = client.get(url).content.decode()
    refused = client.post(url, form_data(THREE_LINES, action="send"))

    assert "Save draft" in page and "Save and send to QuickBooks" not in page
    assert refused.status_code == 403 and nothing_saved()


def test_a_project_manager_may_not_send_a_draft_nor_set_a_status(login, project_manager, company, project, estimate):
    client, url = login(project_manager), urls(company, project, estimate)

    assert client.post(url["send"]).status_code == 403
    assert client.post(url["status"], {"status": "Accepted"}).status_code == 403
    assert not OutboxItem.objects.exists()


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.ADMIN])
def test_accountants_and_admins_are_offered_save_and_send(login, company, project, references, role, request):
    user = request.getfixturevalue("accountant" if role == Role.ACCOUNTANT else "admin_user")

    page = login(user).get(reverse("projects:estimate-new", args=[company.pk, project.pk])).content.decode()

    assert "Save and send to QuickBooks" in page


def test_an_outsider_gets_404_everywhere(login, outsider, company, project, estimate, references):
    client = login(outsider)
    for name, url in urls(company, project, estimate).items():
        response = client.post(url, {}) if name in ("status", "send") else client.get(url)
        assert response.status_code == 404, name


def test_another_companys_project_or_estimate_under_our_company_is_a_404(
    login, accountant, company, other_company, estimate
):
    theirs = Project.objects.create(company=other_company, qbo_id="16", name="Their kitchen")
    their_estimate = Estimate.objects.create(company=other_company, project=theirs, qbo_id="9")
    client = login(accountant)

    assert client.get(reverse("projects:estimate-new", args=[company.pk, theirs.pk])).status_code == 404
    assert (
        client.get(reverse("projects:estimate-detail", args=[company.pk, theirs.pk, their_estimate.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("projects:estimate-detail", args=[other_company.pk, theirs.pk, their_estimate.pk])
        ).status_code
        == 404
    )
