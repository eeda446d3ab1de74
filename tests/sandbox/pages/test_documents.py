"""`/app/<type>?txnId=<Id>`: the documents Costline links to in QuickBooks, shown by the sandbox."""

import html
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from sandbox import codec, demo, store
from sandbox.models import Entity
from sandbox.rest.entities import TRANSACTIONS
from sandbox.testing import make_realm

from .conftest import put, queries, text

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("sandbox.urls")]

PROJECT = {"value": "19", "name": "Lakeshore HOA:Deck & Railing Replacement"}
CUSTOMER = {"value": "4", "name": "Lakeshore HOA"}


def item_line(n, description, qty, price, item="Carpentry Labor"):
    return {
        "Id": str(n),
        "LineNum": n,
        "Description": description,
        "Amount": Decimal(qty) * Decimal(price),
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "4", "name": item}, "Qty": qty, "UnitPrice": Decimal(price)},
    }


@pytest.fixture
def books(harbor):
    """An estimate, the invoice made from it, and a payment applied to the invoice."""
    put(harbor, "Estimate", 12, {"DocNumber": "1001", "TxnDate": "2026-06-19", "TotalAmt": Decimal("2400.00")})
    invoice = {
        "DocNumber": "1042",
        "TxnDate": "2026-07-09",
        "DueDate": "2020-08-08",
        "CustomerRef": CUSTOMER,
        "ProjectRef": PROJECT,
        "Line": [
            item_line(1, "Framing and finish carpentry (per hour)", 16, "95.00"),
            item_line(2, "Composite deck board, 16 ft", 10, "72.00", item="Composite Decking"),
            {"Amount": Decimal("2240.00"), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
        ],
        "TxnTaxDetail": {"TotalTax": Decimal("77.40")},
        "TotalAmt": Decimal("2317.40"),
        "Balance": Decimal("1317.40"),
        "LinkedTxn": [{"TxnId": "12", "TxnType": "Estimate"}],
        "CustomerMemo": {"value": "Thank you for your business."},
    }
    put(harbor, "Invoice", 130, invoice)
    payment = {
        "TxnDate": "2026-07-21",
        "PaymentRefNum": "CHK 9321",
        "CustomerRef": CUSTOMER,
        "TotalAmt": Decimal("1000.00"),
        "UnappliedAmt": Decimal("0.00"),
        "Line": [{"Amount": Decimal("1000.00"), "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}]}],
    }
    put(harbor, "Payment", 55, payment)
    return harbor


def test_an_invoice_link_shows_its_header_lines_linked_transactions_and_json(client, books):
    response = client.get("/app/invoice", {"txnId": "130"})

    assert response.status_code == 200
    words = text(response)
    assert "Invoice 1042 In Harbor Build Co. (realm 9341453000000001" in words
    for fact in (
        "Type Invoice (QuickBooks Invoice , Id 130)",
        "Number 1042",
        "Date 2026-07-09",
        "Customer Lakeshore HOA",
        "Project Lakeshore HOA:Deck & Railing Replacement",
        "Status Partly paid, overdue",
        "Due 2020-08-08",
        "Message to customer Thank you for your business.",
        "Subtotal 2,240.00 Tax 77.40 Total 2,317.40 Balance 1,317.40",
        "1 Item Carpentry Labor Framing and finish carpentry (per hour) 16 95.00 1,520.00",
        "2 Item Composite Decking Composite deck board, 16 ft 10 72.00 720.00",
        "This invoice names Estimate 1001 2026-06-19 2,400.00",
        "Names this invoice Payment CHK 9321 2026-07-21 1,000.00",
    ):
        assert fact in words, fact
    body = response.content.decode()
    assert 'href="/app/estimate?txnId=12&amp;realmId=9341453000000001"' in body
    assert 'href="/app/payment?txnId=55&amp;realmId=9341453000000001"' in body
    stored = Entity.objects.get(type="Invoice", qbo_id=130).document
    [shown] = re.findall(r'<pre class="json">(.*?)</pre>', body, flags=re.S)
    assert codec.loads(html.unescape(shown)) == stored


def test_the_estimate_shows_what_links_to_it_and_the_payment_what_it_pays(client, books):
    estimate = text(client.get("/app/estimate", {"txnId": "12"}))
    assert "Names this estimate Invoice 1042 2026-07-09 2,317.40" in estimate
    payment = text(client.get("/app/payment", {"txnId": "55"}))
    assert "Reference no. CHK 9321" in payment and "Status Applied" in payment
    assert "1 Payment 1,000.00 Invoice 1042" in payment


def test_a_costline_link_opens_here(client, books, settings):
    """The links Costline builds (quickbooks.links) resolve in the sandbox when QBO_APP_URL is its /app."""
    from quickbooks.links import app_url, txn_url

    settings.QBO_APP_URL = "http://testserver/app"
    assert client.get(txn_url("Invoice", "130")).status_code == 200
    assert client.get(txn_url("Payment", "55")).status_code == 200
    assert client.get(app_url("projects")).status_code == 200
    assert client.get(app_url("")).url == "/"


@pytest.mark.parametrize("type_", sorted(TRANSACTIONS))
def test_every_transaction_type_the_sandbox_stores_has_a_page(client, harbor, type_):
    line = item_line(1, f"A {type_} line", 2, "50.00")
    put(
        harbor,
        type_,
        9,
        {"DocNumber": f"{type_[:3].upper()}-9", "TxnDate": "2026-05-01", "Line": [line], "TotalAmt": Decimal("100.00")},
    )

    response = client.get(f"/app/{type_.lower()}", {"txnId": "9"})

    assert response.status_code == 200
    words = text(response)
    assert f"QuickBooks {type_} , Id 9" in words and f"Number {type_[:3].upper()}-9" in words
    assert f"A {type_} line 2 50.00 100.00" in words and "Total 100.00" in words


def test_every_demo_transaction_opens(client, db):
    """The seeded companies' transactions, each type as the demo stores it, all render."""
    demo.seed_demo()
    for type_ in TRANSACTIONS:
        for entity in Entity.objects.filter(type=type_, deleted=False).select_related("realm")[:3]:
            response = client.get(f"/app/{type_.lower()}", {"txnId": entity.qbo_id, "realmId": entity.realm.realm_id})
            assert response.status_code == 200, (type_, entity.qbo_id)
            assert entity.realm.name in text(response)


def test_a_journal_entry_shows_its_debits_and_credits(client, harbor):
    def posting(n, side, account, amount):
        detail = {"PostingType": side, "AccountRef": {"value": str(n), "name": account}}
        detail["Entity"] = {"Type": "Customer", "EntityRef": CUSTOMER}
        return {
            "Id": str(n),
            "Amount": Decimal(amount),
            "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": detail,
            "Description": "Reclass",
        }

    lines = [posting(1, "Debit", "Job Materials", "250.00"), posting(2, "Credit", "Office Supplies", "250.00")]
    put(harbor, "JournalEntry", 9, {"DocNumber": "JE-9", "TxnDate": "2026-05-02", "Line": lines})
    words = text(client.get("/app/journalentry", {"txnId": "9"}))
    assert "Journal entry JE-9" in words
    assert "1 Debit Job Materials Reclass Lakeshore HOA 250.00" in words
    assert "2 Credit Office Supplies Reclass Lakeshore HOA 250.00" in words
    assert "Debits 250.00 Credits 250.00" in words


def test_a_time_activity_shows_who_worked_how_long_and_for_which_project(client, harbor):
    activity = {
        "TxnDate": "2026-06-19",
        "NameOf": "Employee",
        "EmployeeRef": {"value": "3", "name": "Diego Alvarez"},
        "CustomerRef": PROJECT,
        "ProjectRef": PROJECT,
        "ItemRef": {"value": "1", "name": "Demolition & Haul-Away"},
        "BillableStatus": "Billable",
        "HourlyRate": Decimal("85.00"),
        "Hours": 7,
        "Minutes": 30,
    }
    put(harbor, "TimeActivity", 5, activity)
    words = text(client.get("/app/timeactivity", {"txnId": "5"}))
    assert "Time activity 5" in words and "Employee Diego Alvarez" in words
    assert "Project Lakeshore HOA:Deck & Railing Replacement" in words and "Status Billable" in words
    assert "Time 7:30 Hourly rate 85.00 Amount 637.50" in words
    assert "This time activity has no lines." in words


def test_an_id_in_several_companies_shows_each_with_its_company(client, harbor, maple):
    put(harbor, "Invoice", 130, {"DocNumber": "1042", "TotalAmt": Decimal("10.00")})
    put(maple, "Invoice", 130, {"DocNumber": "M-7", "TotalAmt": Decimal("20.00")})

    response = client.get("/app/invoice", {"txnId": "130"})

    assert response.status_code == 200
    words = text(response)
    assert "Invoice Id 130, in 2 companies" in words
    assert "Invoice 1042 in Harbor Build Co. (realm 9341453000000001 )" in words
    assert "Invoice M-7 in Maple Street Services (realm 9341453000000002 )" in words
    narrowed = text(client.get("/app/invoice", {"txnId": "130", "realmId": maple.realm_id}))
    assert "Invoice M-7" in narrowed and "Invoice 1042" not in narrowed


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/app/invoice?txnId=999", 404, "There is no invoice with Id 999 in any of this sandbox's companies."),
        ("/app/invoice?txnId=1&realmId=42", 404, "This sandbox has no company with realm Id 42."),
        ("/app/invoices?txnId=1", 404, "QuickBooks has no transaction type 'invoices'"),
        ("/app/customer?txnId=1", 404, "Customer is a list, not a transaction"),
        ("/app/invoice", 400, "This page shows one invoice by its QuickBooks Id, and no txnId was given."),
        ("/app/invoice?txnId=abc", 400, "'abc' is not a QuickBooks Id"),
    ],
)
def test_nothing_to_show_is_said_in_words(client, harbor, url, status, words):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert words in text(response)


def test_a_deleted_transaction_says_it_was_deleted(client, harbor):
    store.delete(put(harbor, "Bill", 3, {"DocNumber": "B-3"}))
    response = client.get("/app/bill", {"txnId": "3"})
    assert response.status_code == 404
    assert "Bill 3 was deleted in Harbor Build Co. (9341453000000001)" in text(response)


def test_only_reading_is_allowed(client, books):
    assert client.post("/app/invoice?txnId=130").status_code == 405


def test_stored_text_is_escaped(client, harbor):
    put(harbor, "Invoice", 1, {"DocNumber": "<script>alert(1)</script>", "PrivateNote": '<b onclick="x()">'})
    body = client.get("/app/invoice", {"txnId": "1"}).content.decode()
    assert "<script>alert" not in body and "<b onclick" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_document_page_runs_the_same_queries_however_big_the_document_and_company(client, books):
    _, small = queries(lambda: client.get("/app/invoice", {"txnId": "130"}))
    lines = [item_line(n, f"Line {n}", 1, "10.00") for n in range(1, 200)]
    links = [{"TxnId": str(n), "TxnType": "Estimate"} for n in range(1, 40)]
    entity = Entity.objects.get(type="Invoice", qbo_id=130)
    store.save(entity, {**entity.document, "Line": lines, "LinkedTxn": links})
    for n in range(40):
        store.create(books, "Estimate", {"DocNumber": f"E{n}"})
        store.create(books, "Payment", {"Line": [{"Amount": 1, "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}]}]})
    response, big = queries(lambda: client.get("/app/invoice", {"txnId": "130"}))
    assert response.status_code == 200 and "Line 199" in text(response)
    assert big == small


@pytest.mark.parametrize("url", ["/app/invoice?txnId=130", "/app/invoice?txnId=404", "/app/projects"])
def test_the_pages_have_no_inline_script_or_style_but_the_shared_stylesheet(client, books, url):
    body = client.get(url).content.decode()
    assert "<script" not in body.lower()
    assert not re.search(r"\s(style|on[a-z]+)\s*=", body, flags=re.I)
    assert body.count("<style>") == 1 and render_to_string("sandbox/_style.html") in body


def test_the_app_root_goes_to_the_index(client, db):
    response = client.get("/app/")
    assert response.status_code == 302 and response.url == "/"


def test_projects_lists_each_companys_projects(client, harbor, maple):
    customer = store.create(harbor, "Customer", {"DisplayName": "Lakeshore HOA", "IsProject": False})
    parent = {"value": str(customer.qbo_id), "name": "Lakeshore HOA"}
    project = {
        "status": "IN_PROGRESS",
        "startDate": "2026-06-19T00:00:00Z",
        "dueDate": "2026-08-18",
        "completionRate": 45,
    }
    store.create(
        harbor,
        "Customer",
        {"DisplayName": "Deck & Railing", "IsProject": True, "Job": True, "ParentRef": parent, "_project": project},
    )
    store.create(
        harbor,
        "Customer",
        {
            "DisplayName": "Old Porch",
            "IsProject": True,
            "ParentRef": parent,
            "Active": False,
            "_project": {"deleted": True},
        },
    )
    store.create(
        harbor,
        "Customer",
        {"DisplayName": "Lakeshore HOA:Side job", "Job": True, "IsProject": False, "ParentRef": parent},
    )
    empty = make_realm("9341453000000003", "No Projects Co")

    response, count = queries(lambda: client.get("/app/projects"))

    assert response.status_code == 200 and count == 2
    words = text(response)
    assert "Harbor Build Co. (realm 9341453000000001 , QuickBooks Online Advanced)" in words
    assert "Deck & Railing Lakeshore HOA In progress 2026-06-19 2026-08-18 45%" in words
    assert "Old Porch (inactive) Lakeshore HOA Deleted" in words
    assert "Side job" not in words
    assert "Maple Street Services (realm 9341453000000002 , QuickBooks Online Plus) No projects." in words
    assert f"{empty.name} (realm" in words
