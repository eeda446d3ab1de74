"""Connecting a company from the UI: the real consent page, tokens encrypted, capabilities, roles, revoke."""

import pytest
import requests
from django.db import connection as db
from django.urls import reverse

from quickbooks.models import Company, Connection, Membership, Role
from tests.factories import MembershipFactory
from tests.quickbooks.conftest import approve_on_consent_page, connect_through_consent, new_realm

pytestmark = pytest.mark.django_db


def test_an_admin_connects_a_company_through_the_consent_page(
    qbo, realm_id, login, admin_user, company, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = connect_through_consent(login(admin_user), realm_id, company)

    assert response.url == reverse("quickbooks:sync-status", args=[company.pk])  # where the first sync shows
    company.refresh_from_db()
    assert (company.realm_id, company.connection_state) == (realm_id, Company.ConnectionState.CONNECTED)
    connection = company.connection
    assert connection.access_token and connection.refresh_token and connection.access_token_fresh(3000)
    assert connection.connected_by == admin_user
    assert sent == [("quickbooks.tasks.sync_pull", [company.pk])]  # its first sync starts at once, not at beat's round


def test_tokens_are_encrypted_at_rest(connected_company):
    connection = connected_company.connection
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM quickbooks_connection WHERE id = %s", [connection.pk])
        stored_access, stored_refresh = cursor.fetchone()

    assert connection.access_token not in stored_access
    assert connection.refresh_token not in stored_refresh
    assert stored_access.startswith("gAAAAA")  # a Fernet token


def test_an_advanced_company_has_the_premium_apis(connected_company):
    capabilities = connected_company.connection.capabilities

    assert capabilities["projects_api"] is True
    assert capabilities["budgets_api"] is True
    assert capabilities["change_orders"] is True
    assert capabilities["company_name"]
    connected_company.refresh_from_db()
    assert connected_company.home_currency == "USD"  # Preferences.CurrencyPrefs.HomeCurrency: the books' currency


def test_a_plus_company_connects_without_the_premium_apis(qbo, login, admin_user, company):
    plus_realm = new_realm(qbo, plan="plus")

    connect_through_consent(login(admin_user), plus_realm, company)

    capabilities = Connection.objects.get(company=company).capabilities
    assert capabilities["projects_api"] is False
    assert capabilities["budgets_api"] is False
    assert capabilities["change_orders"] is False


def test_the_connection_page_shows_capabilities_and_never_tokens(connected_company, login, viewer):
    html = login(viewer).get(reverse("quickbooks:connection", args=[connected_company.pk])).content.decode()

    assert connected_company.realm_id in html
    assert "Project budgets" in html
    assert connected_company.connection.access_token not in html
    assert "Disconnect" not in html  # a viewer reads, an admin acts


def test_declining_on_the_consent_page_connects_nothing(qbo, realm_id, login, admin_user, company):
    response = connect_through_consent(login(admin_user), realm_id, company, decision="deny")

    assert response.status_code == 302
    company.refresh_from_db()
    assert company.connection_state == Company.ConnectionState.NOT_CONNECTED
    assert not Connection.objects.exists()


def test_a_callback_whose_state_was_not_issued_here_is_refused(qbo, realm_id, login, admin_user, company):
    client = login(admin_user)
    start = client.post(reverse("quickbooks:connect", args=[company.pk]))
    back = approve_on_consent_page(start.url, realm_id)
    forged = back.replace("state=", "state=forged")

    response = client.get(forged.removeprefix("http://testserver"))

    assert response.status_code == 403
    assert not Connection.objects.exists()


def test_a_callback_replayed_after_use_is_refused(qbo, realm_id, login, admin_user, company):
    client = login(admin_user)
    start = client.post(reverse("quickbooks:connect", args=[company.pk]))
    back = approve_on_consent_page(start.url, realm_id).removeprefix("http://testserver")
    client.get(back)

    assert client.get(back).status_code == 403


def test_reconnecting_to_a_different_quickbooks_company_is_refused(connected_company, qbo, login, admin_user):
    other_realm = new_realm(qbo)

    response = connect_through_consent(login(admin_user), other_realm, connected_company)

    connected_company.refresh_from_db()
    assert connected_company.realm_id != other_realm
    assert "different QuickBooks company" in login(admin_user).get(response.url, follow=True).content.decode()


def test_connecting_a_new_company_makes_the_user_its_admin(qbo, realm_id, login, viewer):
    response = connect_through_consent(login(viewer), realm_id)

    company = Company.objects.get(realm_id=realm_id)
    assert response.url == reverse("quickbooks:sync-status", args=[company.pk])  # where the first sync shows
    assert Membership.objects.get(user=viewer, company=company).role == Role.ADMIN
    assert company.name == f"Realm {realm_id} Builders"  # from CompanyInfo


def test_a_realm_already_connected_elsewhere_is_not_handed_to_a_stranger(connected_company, qbo, login, outsider):
    connect_through_consent(login(outsider), connected_company.realm_id)

    assert not Membership.objects.filter(user=outsider, company=connected_company).exists()
    assert Company.objects.filter(realm_id=connected_company.realm_id).count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PROJECT_MANAGER, Role.ACCOUNTANT])
def test_only_admins_connect_disconnect_and_recheck(connected_company, login, role):
    user = MembershipFactory(company=connected_company, role=role).user
    client = login(user)

    for view in ("quickbooks:connect", "quickbooks:disconnect", "quickbooks:recheck"):
        assert client.post(reverse(view, args=[connected_company.pk])).status_code == 403
    assert client.get(reverse("quickbooks:connection", args=[connected_company.pk])).status_code == 200


def test_an_outsider_cannot_see_or_touch_the_connection(connected_company, login, outsider):
    client = login(outsider)

    assert client.get(reverse("quickbooks:connection", args=[connected_company.pk])).status_code == 404
    for view in ("quickbooks:connect", "quickbooks:disconnect", "quickbooks:recheck"):
        assert client.post(reverse(view, args=[connected_company.pk])).status_code == 404


def test_disconnecting_revokes_the_grant_at_quickbooks(connected_company, qbo, login, admin_user):
    old_refresh = connected_company.connection.refresh_token

    client, url = login(admin_user), reverse("quickbooks:disconnect", args=[connected_company.pk])
    assert "Disconnect Harbor" in client.post(url).content.decode()  # it asks first
    assert Company.objects.get(pk=connected_company.pk).is_connected

    client.post(url, {"confirmed": "1"})

    connected_company.refresh_from_db()
    assert connected_company.connection_state == Company.ConnectionState.DISCONNECTED
    assert connected_company.connection.refresh_token == ""
    answer = requests.post(
        qbo.url("oauth2/v1/tokens/bearer"),
        timeout=10,
        auth=(qbo.client_id, qbo.client_secret),
        data={"grant_type": "refresh_token", "refresh_token": old_refresh},
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_a_disconnected_company_can_be_connected_again(connected_company, qbo, login, admin_user):
    client = login(admin_user)
    client.post(reverse("quickbooks:disconnect", args=[connected_company.pk]), {"confirmed": "1"})

    connect_through_consent(client, connected_company.realm_id, connected_company)

    connected_company.refresh_from_db()
    assert connected_company.connection_state == Company.ConnectionState.CONNECTED
    assert connected_company.connection.access_token
