"""Site-wide HTTP rules: the Content-Security-Policy, no caching of books data, the sign-in rate limit behind a
proxy, oversized POSTs and the deploy check for webhooks."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(company):
    return Project.objects.create(company=company, qbo_id="16", name="Kitchen Remodel", customer_qbo_id="7")


def test_every_page_sends_a_policy_that_allows_no_inline_script(client, login, viewer, company):
    for response in (
        client.get(reverse("account_login")),
        login(viewer).get(reverse("reports:dashboard", args=[company.pk])),
    ):
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert "unsafe-inline" not in policy
        assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("suffix", ["", "?export=csv"])
def test_pages_and_exports_with_books_data_are_never_cached(login, viewer, company, project, suffix):
    client = login(viewer)
    for url in (
        reverse("reports:dashboard", args=[company.pk]) + suffix,
        reverse("reports:dashboard-csv", args=[company.pk]),
        reverse("reports:dashboard-xlsx", args=[company.pk]),
        reverse("reports:project-detail", args=[company.pk, project.pk]) + suffix,
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_the_deploy_check_warns_when_webhooks_cannot_be_verified(settings):
    settings.QBO_WEBHOOK_VERIFIER = ""
    with pytest.raises(SystemCheckError, match="costline.W004"):
        call_command("check", deploy=True, fail_level="WARNING", tags=["security"])
    settings.QBO_WEBHOOK_VERIFIER = "set"
    try:
        call_command("check", deploy=True, fail_level="WARNING", tags=["security"])
    except SystemCheckError as error:
        assert "costline.W004" not in str(error)


def _sign_in(client, email, password, client_ip):
    # What the proxy forwards: the client's address appended to X-Forwarded-For, its own as REMOTE_ADDR.
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=client_ip,
    )


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_proxy_one_clients_bad_passwords_lock_out_only_that_client(
    settings, client, viewer, accountant, password, proxies
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    for _ in range(12):
        _sign_in(client, viewer.email, "wrong-password", "203.0.113.7")
    response = _sign_in(client, accountant.email, password, "198.51.100.9")
    if proxies:
        assert response.status_code == 302, "the accountant, from another address, signs in"
    else:  # the fault the setting removes: every client looks like the proxy
        assert response.status_code == 200
        assert "Too many failed login attempts" in response.content.decode()


def test_the_largest_estimate_form_fits_the_field_limit(settings):
    from projects.documents.forms import MAX_LINES, LineForm
    from projects.estimates.forms import EstimateForm

    per_line = len(LineForm.base_fields) + 1  # and DELETE
    largest = len(EstimateForm.base_fields) + MAX_LINES * per_line + 4 + 2  # management form, csrf, action
    assert largest <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_a_post_with_too_many_fields_is_refused_with_a_message(login, project_manager, company, project):
    data = {f"lines-{n}-description": "x" for n in range(3000)}
    response = login(project_manager).post(reverse("projects:estimate-new", args=[company.pk, project.pk]), data)
    assert response.status_code == 400
    assert "more than Costline accepts" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
