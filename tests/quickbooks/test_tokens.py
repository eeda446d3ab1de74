"""Token lifecycle against the sandbox: refresh ahead of expiry, one refresh when workers race, invalid_grant."""

import threading
from datetime import timedelta

import pytest
import requests
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from quickbooks.client import QuickBooksClient, ReauthorizationRequired, tokens
from quickbooks.models import Company, Connection


def _expire(connection):
    Connection.objects.filter(pk=connection.pk).update(access_expires_at=timezone.now() - timedelta(seconds=1))


def _refresh_token_works(qbo, refresh_token) -> bool:
    answer = requests.post(
        qbo.url("oauth2/v1/tokens/bearer"),
        timeout=10,
        auth=(qbo.client_id, qbo.client_secret),
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
    )
    return answer.status_code == 200


@pytest.mark.django_db
def test_an_expired_access_token_is_refreshed_before_the_call(connected_company, qbo):
    connection = connected_company.connection
    old_access, old_refresh = connection.access_token, connection.refresh_token
    _expire(connection)

    info = QuickBooksClient.for_company(connected_company).company_info()

    connection.refresh_from_db()
    assert info["CompanyName"]
    assert connection.access_token != old_access and connection.refresh_token != old_refresh
    assert connection.refresh_count == 1
    assert not _refresh_token_works(qbo, old_refresh)  # rotated: the old one is dead at Intuit


@pytest.mark.django_db
def test_a_token_quickbooks_rejects_is_refreshed_once_and_the_call_retried(connected_company, qbo):
    connection = connected_company.connection
    # The grant is valid but the access token we hold was superseded (e.g. another worker refreshed).
    stale = connection.access_token
    tokens.access_token(connection.pk, rejected=stale)
    Connection.objects.filter(pk=connection.pk).update(access_token=stale)  # pretend we missed that refresh
    connection.refresh_from_db()

    info = QuickBooksClient.for_company(connected_company).company_info()

    assert info["CompanyName"]
    connection.refresh_from_db()
    assert connection.refresh_count == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_a_refresh_refresh_once_and_keep_the_connection(qbo, realm_id, client, admin_user, company):
    from tests.quickbooks.conftest import connect_through_consent

    client.force_login(admin_user)
    connect_through_consent(client, realm_id, company)
    connection = Connection.objects.get(company=company)
    _expire(connection)
    barrier, results, errors = threading.Barrier(2), [], []

    def worker():
        try:
            barrier.wait()
            results.append(tokens.access_token(connection.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own: close_old_connections keeps one younger than CONN_MAX_AGE

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    connection.refresh_from_db()
    assert errors == []
    assert len(set(results)) == 1 and results[0] == connection.access_token
    assert connection.refresh_count == 1
    assert Company.objects.get(pk=company.pk).connection_state == Company.ConnectionState.CONNECTED
    assert _refresh_token_works(qbo, connection.refresh_token)  # the stored one is the latest


@pytest.mark.django_db
def test_a_revoked_grant_asks_an_admin_to_reconnect(connected_company, qbo, login, admin_user, viewer):
    connection = connected_company.connection
    requests.post(
        qbo.url("oauth2/v1/tokens/revoke"),
        json={"token": connection.refresh_token},
        timeout=10,
        auth=(qbo.client_id, qbo.client_secret),
    )
    _expire(connection)

    with pytest.raises(ReauthorizationRequired):
        QuickBooksClient.for_company(connected_company).company_info()

    connected_company.refresh_from_db()
    assert connected_company.connection_state == Company.ConnectionState.NEEDS_REAUTH
    admin_page = login(admin_user).get(reverse("reports:dashboard", args=[connected_company.pk])).content.decode()
    assert "no longer accepts" in admin_page and "Reconnect" in admin_page
    viewer_page = login(viewer).get(reverse("reports:dashboard", args=[connected_company.pk])).content.decode()
    assert "Ask an admin" in viewer_page


@pytest.mark.django_db
def test_reconnecting_after_invalid_grant_restores_the_connection(connected_company, qbo, login, admin_user):
    from tests.quickbooks.conftest import connect_through_consent

    Company.objects.filter(pk=connected_company.pk).update(connection_state=Company.ConnectionState.NEEDS_REAUTH)

    connect_through_consent(login(admin_user), connected_company.realm_id, connected_company)

    connected_company.refresh_from_db()
    assert connected_company.connection_state == Company.ConnectionState.CONNECTED
    assert QuickBooksClient.for_company(connected_company).company_info()["CompanyName"]
