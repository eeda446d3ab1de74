"""Connecting a company to QuickBooks, finding out what it can do, and disconnecting it.

The OAuth dance: `connection_start` gives the consent URL with a `state` bound to the browser
session; `connection_complete` checks that state, trades the code for tokens and records the realm;
`capabilities_detect` asks QuickBooks what this company's plan and grant allow, so the UI only offers
what will work; `connection_disconnect` revokes the grant at Intuit and forgets the tokens.
"""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .client import AuthorizationError, GraphQLError, NotEntitledError, QuickBooksClient, tokens
from .models import Company, Connection, Membership, Role
from .sync.dispatch import PULL_TASK, send_task_on_commit

SESSION_KEY = "qbo_oauth"

PROJECTS_PROBE = "query { projectManagementProjects(first: 1, filter: {}) { edges { node { id } } } }"
BUDGETS_PROBE = 'query { businessPlanningBudget(budgetId: "0") { budgetId } }'


def connection_start(*, session, company: Company | None, prompt: str | None = None) -> str:
    """The consent URL. `company` None means "connect a new company" (it is created on the way back)."""
    state = secrets.token_urlsafe(24)
    session[SESSION_KEY] = {"state": state, "company_id": company.pk if company else None}
    return tokens.authorization_url(state, prompt=prompt)


def _check_state(session, state: str) -> int | None:
    expected = session.pop(SESSION_KEY, None)
    if not expected or not state or not secrets.compare_digest(expected["state"], state):
        raise PermissionDenied("This QuickBooks reply does not match a connection you started. Start again.")
    return expected["company_id"]


def _company_for_callback(user, company_id: int | None, realm_id: str) -> Company:
    """The company being reconnected (same realm only), or the one this realm belongs to, or a new one."""
    if company_id is not None:
        company = Company.objects.for_user(user).filter(memberships__role=Role.ADMIN).get(pk=company_id)
        if company.realm_id and company.realm_id != realm_id:
            raise ValidationError(
                f"You picked a different QuickBooks company (id {realm_id}) from the one {company} is connected to "
                f"(id {company.realm_id}). Nothing was changed; reconnect and pick {company} in QuickBooks."
            )
        return company
    existing = Company.objects.filter(realm_id=realm_id).first()
    if existing is None:
        return Company(name=f"QuickBooks company {realm_id}", realm_id=realm_id)
    if not existing.memberships.filter(user=user, role=Role.ADMIN).exists():
        raise ValidationError(
            f"This QuickBooks company is already connected to Costline as {existing.name}. "
            "Ask one of its admins to invite you."
        )
    return existing


def connection_complete(*, session, user, state: str, code: str, realm_id: str) -> Company:
    """Finish the OAuth flow: verify `state`, exchange the code, store the tokens encrypted, mark connected."""
    company_id = _check_state(session, state)
    if not code or not realm_id:
        raise ValidationError("QuickBooks did not send an authorisation code and company id. Start again.")
    company = _company_for_callback(user, company_id, realm_id)
    token_set = tokens.exchange_code(code)
    with transaction.atomic():
        company.realm_id = realm_id
        company.connection_state = Company.ConnectionState.CONNECTED
        company.connected_at = timezone.now()
        company.save()
        Membership.objects.get_or_create(user=user, company=company, defaults={"role": Role.ADMIN})
        connection, _ = Connection.objects.get_or_create(company=company)
        tokens.store_tokens(connection, token_set)
        connection.connected_by, connection.last_error = user, ""
        connection.scopes = " ".join(sorted(tokens.requested_scopes()))
        connection.save()
    capabilities_detect(company=company)
    # The first sync starts now, not when beat's round comes: a company just connected should fill in at once,
    # its progress on the dashboard and the Sync page. A reconnect catches up from where it was.
    send_task_on_commit(PULL_TASK, company.pk)
    return company


def _answers(call) -> bool:
    """Whether a probe shows the API is there: an entitlement or authorisation refusal means it is not."""
    try:
        call()
    except (NotEntitledError, AuthorizationError):
        return False
    except GraphQLError:
        return True  # the API answered; the probe's made-up id was simply not found
    return True


def capabilities_detect(*, company: Company) -> dict:
    """Read CompanyInfo and Preferences, probe the premium APIs, and record what the company can do."""
    client = QuickBooksClient.for_company(company)
    info = client.company_info()
    preferences = client.preferences()
    capabilities = {
        "company_name": info.get("CompanyName", ""),
        "country": info.get("Country", ""),
        "projects_api": _answers(lambda: client.graphql(PROJECTS_PROBE)),
        "budgets_api": _answers(lambda: client.graphql(BUDGETS_PROBE)),
        "change_orders": _answers(lambda: client.count("ChangeOrder")),
        "projects_enabled": _projects_enabled(preferences),
        "custom_txn_numbers": bool((preferences.get("SalesFormsPrefs") or {}).get("CustomTxnNumbers")),
    }
    connection = company.connection
    connection.capabilities, connection.capabilities_checked_at = capabilities, timezone.now()
    connection.save(update_fields=["capabilities", "capabilities_checked_at", "updated"])
    fields: list[str] = []
    if capabilities["company_name"] and company.name.startswith("QuickBooks company "):
        company.name, fields = capabilities["company_name"], [*fields, "name"]
    if currency := home_currency(preferences):
        company.home_currency, fields = currency, [*fields, "home_currency"]
    if fields:
        company.save(update_fields=fields)
    return capabilities


def home_currency(preferences: dict) -> str:
    """Preferences.CurrencyPrefs.HomeCurrency, e.g. "USD"; empty when QuickBooks does not say."""
    currency = ((preferences.get("CurrencyPrefs") or {}).get("HomeCurrency") or {}).get("value")
    return str(currency or "")[:3]


def _projects_enabled(preferences: dict) -> bool:
    """Intuit: check Preferences.OtherPrefs.NameValue `ProjectsEnabled` = "true" before using projects."""
    for pair in (preferences.get("OtherPrefs") or {}).get("NameValue", []):
        if pair.get("Name") == "ProjectsEnabled":
            return str(pair.get("Value")).lower() == "true"
    return False


def connection_disconnect(*, company: Company) -> None:
    """Revoke at Intuit (best effort) and forget the tokens; the company and its data stay."""
    connection = Connection.objects.filter(company=company).first()
    if connection is not None:
        tokens.revoke(connection)
        connection.access_token = connection.refresh_token = ""
        connection.access_expires_at = connection.refresh_expires_at = None
        connection.save()
    company.connection_state = Company.ConnectionState.DISCONNECTED
    company.save(update_fields=["connection_state"])
