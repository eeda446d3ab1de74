"""In a real browser: text that QuickBooks holds as one long word wraps instead of widening the page, and no page
breaks the Content-Security-Policy (the estimate form's script is a static file, nothing runs inline)."""

from datetime import date
from decimal import Decimal

import pytest

from projects.models import Estimate, EstimateLine, LedgerLine, Project
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD = "Unbroken" * 600  # 4,800 characters without a space
WIDTH = 1280


@pytest.fixture
def long_texts(company):
    project = Project.objects.create(company=company, qbo_id="16", name=WORD[:500], customer_qbo_id="7")
    estimate = Estimate.objects.create(
        company=company,
        project=project,
        project_qbo_id="16",
        qbo_id="55",
        txn_date=date(2026, 5, 1),
        private_note=WORD,
        customer_memo=WORD[:1000],
        total_amount=Decimal("1000.00"),
    )
    EstimateLine.objects.create(
        estimate=estimate,
        line_num=1,
        item_name=WORD[:500],
        description=WORD[:4000],
        qty=1,
        unit_price=1000,
        amount=1000,
    )
    LedgerLine.objects.create(
        company=company,
        project=project,
        project_qbo_id="16",
        tagged_by="project_ref",
        txn_type="Bill",
        txn_qbo_id="9",
        line_id="1",
        kind=LedgerLine.Kind.COST,
        amount=Decimal("10.00"),
        description=WORD,
        account_name=WORD[:500],
        txn_date=date(2026, 5, 2),
    )
    return project, estimate


def test_a_long_unbroken_word_wraps_on_every_page(live_server, page, admin_user, password, company, long_texts):
    project, estimate = long_texts
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    sign_in(page, live_server.url, admin_user, password)
    base = f"{live_server.url}/c/{company.pk}"
    for path in (
        "/",
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/estimates/{estimate.pk}/",
        f"/projects/{project.pk}/estimates/{estimate.pk}/edit/",
    ):
        page.goto(base + path)
        page.wait_for_selector("h1")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"{path} is {width}px wide"
    assert page.locator("[data-total-amount]").inner_text() == "1,000.00"
    page.fill("input[name=lines-0-qty]", "2")
    page.wait_for_function("document.querySelector('[data-total-amount]').innerText === '2,000.00'")  # the script ran
    assert violations == []
