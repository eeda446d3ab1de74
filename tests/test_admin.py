"""The admin is an operations console: every model is there, searchable, and synced fields are read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from quickbooks.models import Company
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

PRODUCT_APPS = {"accounts", "quickbooks", "projects", "budgets", "changeorders", "closes"}


@pytest.fixture
def staff_client(client):
    client.user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(client.user)
    return client


def _product_models():
    return [model for model in admin.site._registry if model._meta.app_label in PRODUCT_APPS]


def test_every_product_model_is_in_the_admin():
    from django.apps import apps

    registered = set(_product_models())
    models = {m for m in apps.get_models() if m._meta.app_label in PRODUCT_APPS}

    assert models == registered


@pytest.mark.parametrize("model", _product_models(), ids=lambda m: m._meta.label)
def test_changelist_search_and_add_pages_load(staff_client, model, viewer, company):
    InvitationFactory(company=company)
    info = (model._meta.app_label, model._meta.model_name)

    assert staff_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    assert staff_client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "harbor"}).status_code == 200
    can_add = admin.site._registry[model].has_add_permission(type("R", (), {"user": staff_client.user})())
    assert staff_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == (200 if can_add else 403)


def test_connection_fields_are_read_only_in_the_admin(staff_client, company):
    html = staff_client.get(reverse("admin:quickbooks_company_change", args=[company.pk])).content.decode()

    assert 'name="name"' in html
    assert 'name="realm_id"' not in html
    assert 'name="connection_state"' not in html


def test_admin_search_finds_a_company_by_name(staff_client, company, other_company):
    response = staff_client.get(reverse("admin:quickbooks_company_changelist"), {"q": "harbor"})

    assert list(response.context["cl"].queryset) == [company]
    assert Company.objects.count() == 2


def test_connection_tokens_never_show_in_the_admin(staff_client, company):
    from quickbooks.models import Connection

    Connection.objects.create(company=company, access_token="secret-access-xyz", refresh_token="secret-refresh-xyz")

    html = staff_client.get(reverse("admin:quickbooks_connection_change", args=[company.connection.pk])).content
    assert b"secret-access-xyz" not in html and b"secret-refresh-xyz" not in html


MIRRORS = [
    "projects.Project",
    "projects.Estimate",
    "projects.EstimateLine",
    "projects.LedgerLine",
    "changeorders.ChangeOrder",
    "changeorders.ChangeOrderLine",
    "budgets.Budget",
    "budgets.BudgetLine",
]


@pytest.mark.parametrize("label", MIRRORS)
def test_quickbooks_mirrors_are_view_only_in_the_admin(staff_client, label):
    """An admin-made change order or budget claimed to be synced and never reached QuickBooks: mirrors change in
    QuickBooks or through Costline's forms and the outbox, never by hand."""
    from django.apps import apps

    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    request = type("R", (), {"user": staff_client.user})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
    assert staff_client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")).status_code == 403
    for inline in model_admin.get_inline_instances(request):
        assert not inline.has_add_permission(request, None) and not inline.has_change_permission(request)
