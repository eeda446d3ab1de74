"""Every company view as each role, an outsider and an anonymous visitor."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quickbooks.access import SESSION_KEY
from quickbooks.models import Role
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

READ_VIEWS = ["reports:dashboard", "quickbooks:members"]


@pytest.mark.parametrize("view", READ_VIEWS)
def test_every_member_can_read_company_pages(login, member, company, view):
    response = login(member).get(reverse(view, args=[company.pk]))

    assert response.status_code == 200
    assert company.name in response.content.decode()


@pytest.mark.parametrize("view", READ_VIEWS)
def test_another_tenants_company_is_not_found(login, outsider, company, view):
    response = login(outsider).get(reverse(view, args=[company.pk]))

    assert response.status_code == 404
    assert company.name not in response.content.decode()


@pytest.mark.parametrize("view", READ_VIEWS)
def test_a_company_that_does_not_exist_is_not_found(login, viewer, view):
    assert login(viewer).get(reverse(view, args=[999999])).status_code == 404


@pytest.mark.parametrize("view", READ_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(client, company, view):
    response = client.get(reverse(view, args=[company.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_company_switcher_lists_only_the_users_companies(login, viewer, company, other_company):
    second = CompanyFactory(name="Second Site Ltd.")
    MembershipFactory(user=viewer, company=second)

    html = login(viewer).get(reverse("reports:dashboard", args=[company.pk])).content.decode()

    assert 'class="company-switcher"' in html
    assert reverse("reports:dashboard", args=[second.pk]) in html
    assert other_company.name not in html


def test_home_goes_to_the_company_last_looked_at(login, viewer, company):
    second = CompanyFactory(name="Second Site Ltd.")
    MembershipFactory(user=viewer, company=second)
    client = login(viewer)
    client.get(reverse("reports:dashboard", args=[second.pk]))

    response = client.get(reverse("home"))

    assert client.session[SESSION_KEY] == second.pk
    assert response.url == reverse("reports:dashboard", args=[second.pk])


def test_the_session_is_written_when_the_company_looked_at_changes_and_not_on_every_page(login, viewer, company):
    second = CompanyFactory(name="Second Site Ltd.")
    MembershipFactory(user=viewer, company=second)
    client = login(viewer)

    def session_writes(company_id: int) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports:dashboard", args=[company_id])).status_code == 200
        return [q["sql"] for q in captured if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]

    assert session_writes(company.pk)  # the first look at a company
    assert not session_writes(company.pk)  # the same company again: nothing to write
    assert session_writes(second.pk) and client.session[SESSION_KEY] == second.pk


def test_home_without_companies_explains_how_to_get_one(login, outsider, db):
    outsider.memberships.all().delete()

    response = login(outsider).get(reverse("home"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("quickbooks:company-list")
    assert "not a member of any company yet" in response.content.decode()


def test_home_for_anonymous_visitors_is_sign_in(client, db):
    response = client.get(reverse("home"))

    assert response.url.startswith(reverse("account_login"))


def test_a_stale_company_in_the_session_is_ignored(login, viewer, company, other_company):
    client = login(viewer)
    session = client.session
    session[SESSION_KEY] = other_company.pk  # e.g. access was removed since
    session.save()

    assert client.get(reverse("home")).url == reverse("reports:dashboard", args=[company.pk])


def test_company_list_shows_each_membership_with_role(login, accountant, company):
    html = login(accountant).get(reverse("quickbooks:company-list")).content.decode()

    assert company.name in html
    assert Role.ACCOUNTANT.label in html
