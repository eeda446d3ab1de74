"""The app against a live sandbox over HTTP: settings pointed at it, fresh companies, the real consent page.

A root plugin (tests/conftest.py names it), so every test folder has these fixtures.
"""

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from quickbooks.client import QuickBooksClient
from quickbooks.client.limiter import FileRateLimiter, Limits
from quickbooks.models import Company, Connection

_numbers = itertools.count(1)


@pytest.fixture
def qbo(settings, live_sandbox):
    """Settings aimed at the running sandbox, its limits back to Intuit's and no faults left over."""
    settings.QBO_SANDBOX_URL = live_sandbox.base_url.rstrip("/")
    settings.QBO_CLIENT_ID = live_sandbox.client_id
    settings.QBO_CLIENT_SECRET = live_sandbox.client_secret
    settings.QBO_REDIRECT_URI = "http://testserver/quickbooks/callback/"
    settings.QBO_RETRY_MAX_WAIT_SECONDS = 0.05  # retries without the real minutes of waiting
    live_sandbox.control("post", "limits", json={"reset": True})
    live_sandbox.control("delete", "faults")
    yield live_sandbox
    live_sandbox.control("delete", "faults")


def new_realm(sandbox, plan="advanced") -> str:
    realm_id = f"93414531{next(_numbers):08d}"
    sandbox.control("post", "realms", json={"realm_id": realm_id, "name": f"Realm {realm_id} Builders", "plan": plan})
    return realm_id


@pytest.fixture
def realm_id(qbo):
    return new_realm(qbo)


def approve_on_consent_page(authorize_url: str, realm_id: str, decision: str = "approve") -> str:
    """Load the sandbox's consent page like a browser, pick the company, press the button; the redirect back."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200 and realm_id in page.text, page.text[:500]
    params = dict(parse_qsl(urlsplit(authorize_url).query))
    answer = requests.post(
        authorize_url.split("?")[0],
        data={**params, "realm_id": realm_id, "decision": decision},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def connect_through_consent(client, realm_id, company=None, decision="approve"):
    """Our connect button, the consent page, then Intuit's redirect back to our callback."""
    start = client.post(
        reverse("quickbooks:connect", args=[company.pk]) if company else reverse("quickbooks:connect-new")
    )
    assert start.status_code == 302, start.content[:300]
    back = approve_on_consent_page(start.url, realm_id, decision)
    assert back.startswith("http://testserver/quickbooks/callback/")
    return client.get(back.removeprefix("http://testserver"))


@pytest.fixture
def connected_company(qbo, realm_id, login, admin_user, company) -> Company:
    """`company` connected to a fresh sandbox realm through the real OAuth pages."""
    connect_through_consent(login(admin_user), realm_id, company)
    company.refresh_from_db()
    assert company.connection_state == Company.ConnectionState.CONNECTED, Connection.objects.first()
    return company


CREATE_PROJECT = """mutation($input: ProjectManagement_CreateProjectInput!) {
  projectManagementCreateProject(input: $input) { ... on ProjectManagement_Project { id } } }"""


def create_project(qb, customer_id: str, name: str, **fields) -> str:
    """A project made in QuickBooks through the Projects API, as another QuickBooks user would; its id."""
    answer = qb.graphql(CREATE_PROJECT, {"input": {"name": name, "customer": {"id": customer_id}, **fields}})
    return answer["projectManagementCreateProject"]["id"]


def rid() -> str:
    """A fresh requestid."""
    return uuid.uuid4().hex


@pytest.fixture
def qb(connected_company):
    """A client for writing test data into the connected realm, as another QuickBooks user would."""
    return QuickBooksClient.for_company(connected_company)


@contextmanager
def at_full_speed(sandbox, settings, company: Company, folder: Path) -> Iterator[QuickBooksClient]:
    """A client for a fixture's or a test's scaffolding (data written into the realm as another QuickBooks user
    would, the first pull) that no rate limit holds back. Costline's own throttle (8 requests a second, 36 batch
    requests a minute) and the sandbox's (Intuit's 10 a second, 40 batches a minute) would make each such setup wait
    two seconds or more, in nearly two hundred tests, and a test that writes 1,100 objects wait a minute.

    The limits stay wherever they are tested (tests/quickbooks/test_limiter.py, the sandbox's gateway tests, the 429
    storms) and over every test's own steps: on the way out the sandbox's limits and Costline's settings are put
    back (which also empties the sandbox's windows), and this client counted its requests in a limiter of its own (in
    `folder`), so what follows begins with every window empty, as if the company had been set up a while before.
    """
    before = sandbox.control("get", "limits").json()["limits"]
    sandbox.control("post", "limits", json={"per_second": None, "batch_per_minute": None})
    ours = {name: getattr(settings, name) for name in ("QBO_RATE_PER_SECOND", "QBO_BATCH_PER_MINUTE")}
    settings.QBO_RATE_PER_SECOND = settings.QBO_BATCH_PER_MINUTE = 10**6  # batches take their limits from settings
    try:
        limiter = FileRateLimiter(folder / "scaffolding-limits", Limits(10**6, 10**6, settings.QBO_MAX_CONCURRENT))
        yield QuickBooksClient.for_company(company, limiter=limiter)
    finally:
        for name, value in ours.items():
            setattr(settings, name, value)
        sandbox.control("post", "limits", json={name: before[name] for name in ("per_second", "batch_per_minute")})


@pytest.fixture
def scaffolding(qbo, settings, tmp_path):
    """`with scaffolding(company) as qb:` writes a test's data into its realm at full speed (`at_full_speed`)."""
    return partial(at_full_speed, qbo, settings, folder=tmp_path)


@pytest.fixture
def project_setup(connected_company, scaffolding):
    """In QuickBooks: a customer, its project and an item; pulled into Costline (at full speed: `at_full_speed`)."""
    from quickbooks.sync import pull

    with scaffolding(connected_company) as qb:
        customer = qb.create("Customer", {"DisplayName": f"Client {rid()[:6]}"}, request_id=rid())
        project_id = create_project(qb, customer["Id"], f"Kitchen {rid()[:6]}")
        income = qb.create("Account", {"Name": f"Sales {rid()[:6]}", "AccountType": "Income"}, request_id=rid())
        item = qb.create(
            "Item",
            {
                "Name": f"Cabinets {rid()[:6]}",
                "Type": "Service",
                "UnitPrice": Decimal("250"),
                "IncomeAccountRef": {"value": income["Id"]},
            },
            request_id=rid(),
        )
        pull.pull_full(company=connected_company, client=qb)
    return {"customer": customer["Id"], "project": project_id, "item": item["Id"]}


def new_estimate(company, setup, *, memo="Phase 1"):
    """A local project estimate with one line, queued for QuickBooks in the same transaction."""
    from projects.models import Estimate, EstimateLine
    from quickbooks.sync.push import outbox_enqueue

    with transaction.atomic():
        estimate = Estimate.objects.create(
            company=company,
            customer_qbo_id=setup["customer"],
            project_qbo_id=setup["project"],
            txn_date=timezone.localdate(),
            private_note=memo,
        )
        EstimateLine.objects.create(
            estimate=estimate,
            line_num=1,
            item_qbo_id=setup["item"],
            description="Uppers",
            qty=Decimal("4"),
            unit_price=Decimal("250.00"),
            amount=Decimal("1000.00"),
            unit_cost=Decimal("180.00"),
            tax_code="NON",
        )
        outbox_enqueue(obj=estimate)
    return estimate


def estimates_in_quickbooks(qb, setup) -> list[dict]:
    return [
        e
        for page in qb.query_pages("Estimate")
        for e in page
        if (e.get("ProjectRef") or {}).get("value") == setup["project"]
    ]
