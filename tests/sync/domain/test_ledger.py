"""The project ledger: every line charged to a project, once, with the sign an accountant expects."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.ledger.normalise import TXN_TYPES, hours
from projects.ledger.sync import ingest_ledger, remove_ledger
from projects.models import LedgerLine, Project
from quickbooks.models import Membership, ReferenceRecord, Role
from sandbox import demo
from sandbox.demo_data import documents as doc

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])
Kind, TaggedBy = LedgerLine.Kind, LedgerLine.TaggedBy
EXPENSE_DETAILS = ("ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail")


def project_lines_in(docs) -> dict[tuple, Decimal]:
    """What the demo charges to projects through ProjectRef, read straight off the documents."""
    expected = {}
    for txn_type in ("Invoice", "SalesReceipt"):
        for d in docs[txn_type]:
            for line in d["Line"]:
                if d.get("ProjectRef") and line["DetailType"] == "SalesItemLineDetail":
                    expected[(txn_type, d["Id"], line["Id"])] = line["Amount"]
    for txn_type in ("Bill", "Purchase", "PurchaseOrder"):
        for d in docs[txn_type]:
            if d.get("POStatus") == "Closed":  # received or billed: no longer a commitment
                continue
            for line in d["Line"]:
                if line.get("ProjectRef"):
                    expected[(txn_type, d["Id"], line["Id"])] = line["Amount"]
    for d in docs["VendorCredit"]:  # money back from a supplier: less cost
        for line in d["Line"]:
            if line.get("ProjectRef"):
                expected[("VendorCredit", d["Id"], line["Id"])] = -line["Amount"]
    for d in docs["Payment"]:
        if d.get("ProjectRef"):
            expected[("Payment", d["Id"], "")] = d["TotalAmt"]
    for d in docs["TimeActivity"]:
        if d.get("ProjectRef"):
            expected[("TimeActivity", d["Id"], "")] = (Decimal(d["Hours"]) * d["CostRate"]).quantize(Decimal("0.01"))
    return expected


def ledger_of(company, **filters) -> dict[tuple, Decimal]:
    rows = LedgerLine.objects.filter(company=company, **filters)
    return {(r.txn_type, r.txn_qbo_id, r.line_id): r.amount for r in rows}


def test_every_demo_line_tagged_to_a_project_lands_in_the_ledger_once_with_its_amount(synced, docs):
    expected = project_lines_in(docs)

    assert len(expected) > 100
    assert ledger_of(synced, tagged_by=TaggedBy.PROJECT_REF) == expected
    assert LedgerLine.objects.filter(company=synced, tagged_by=TaggedBy.PROJECT_REF).count() == len(expected)
    assert all(isinstance(amount, Decimal) for amount in ledger_of(synced).values())


def test_each_project_line_is_linked_to_its_project(synced):
    tagged = LedgerLine.objects.filter(company=synced, tagged_by=TaggedBy.PROJECT_REF).select_related("project")
    assert all(line.project is not None and line.project.qbo_id == line.project_qbo_id for line in tagged)


def test_kinds_follow_the_transaction(synced):
    kinds = dict(LedgerLine.objects.filter(company=synced).values_list("txn_type", "kind").distinct())
    assert kinds == {
        "Invoice": Kind.REVENUE,
        "Bill": Kind.COST,
        "Purchase": Kind.COST,
        "VendorCredit": Kind.COST,
        "TimeActivity": Kind.COST,
        "PurchaseOrder": Kind.COMMITMENT,
        "Payment": Kind.PAYMENT,
    }


def test_the_miscoded_bill_is_kept_as_charged_to_the_client_with_no_project(synced, docs):
    bill = next(d for d in docs["Bill"] if d["DocNumber"] == demo.MISCODED_DOC_NUMBER)

    line = LedgerLine.objects.get(company=synced, tagged_by=TaggedBy.CUSTOMER_REF)
    assert (line.txn_type, line.txn_qbo_id, line.doc_number) == ("Bill", bill["Id"], demo.MISCODED_DOC_NUMBER)
    assert line.project is None and line.project_qbo_id == ""
    assert line.customer_qbo_id == bill["Line"][0]["AccountBasedExpenseLineDetail"]["CustomerRef"]["value"]
    assert Project.objects.filter(company=synced, customer_qbo_id=line.customer_qbo_id).exists()
    assert line.amount == Decimal("486.20")


def test_lines_charged_to_no_project_are_not_stored(synced, docs):
    service_receipts = {d["Id"] for d in docs["SalesReceipt"] if not d.get("ProjectRef")}
    assert service_receipts
    assert not LedgerLine.objects.filter(company=synced, txn_type="SalesReceipt", txn_qbo_id__in=service_receipts)


def test_ingesting_the_same_pages_twice_changes_nothing(synced, docs):
    before = sorted(
        LedgerLine.objects.filter(company=synced).values_list(
            "txn_type", "txn_qbo_id", "line_id", "amount", "kind", "project_id"
        )
    )
    for txn_type in TXN_TYPES:
        ingest_ledger(txn_type, synced, docs[txn_type])
    after = sorted(
        LedgerLine.objects.filter(company=synced).values_list(
            "txn_type", "txn_qbo_id", "line_id", "amount", "kind", "project_id"
        )
    )
    assert after == before


def test_an_edited_transaction_replaces_its_lines(synced, docs):
    bill = next(d for d in docs["Bill"] if len(d["Line"]) > 1 and d["Line"][0].get("ProjectRef"))
    edited = {**bill, "SyncToken": "7", "Line": [{**bill["Line"][0], "Amount": Decimal("10.00")}]}

    ingest_ledger("Bill", synced, [edited])

    lines = LedgerLine.objects.filter(company=synced, txn_type="Bill", txn_qbo_id=bill["Id"])
    assert [(line.amount, line.txn_sync_token) for line in lines] == [(Decimal("10.00"), "7")]


def test_removal_deletes_the_lines_of_those_transactions_only(synced, docs):
    invoice_ids = [d["Id"] for d in docs["Invoice"] if d.get("ProjectRef")][:2]
    kept = LedgerLine.objects.filter(company=synced).exclude(txn_type="Invoice", txn_qbo_id__in=invoice_ids).count()

    removed = remove_ledger("Invoice", synced, invoice_ids)

    assert removed > 0
    assert not LedgerLine.objects.filter(company=synced, txn_type="Invoice", txn_qbo_id__in=invoice_ids).exists()
    assert LedgerLine.objects.filter(company=synced).count() == kept


def test_cdc_deleted_stubs_in_a_page_remove_lines(synced, docs):
    invoice = next(d for d in docs["Invoice"] if d.get("ProjectRef"))
    ingest_ledger("Invoice", synced, [{"Id": invoice["Id"], "status": "Deleted", "domain": "QBO"}])
    assert not LedgerLine.objects.filter(company=synced, txn_type="Invoice", txn_qbo_id=invoice["Id"]).exists()


def _client_and_project(docs):
    project = next(d for d in docs["Customer"] if d.get("IsProject"))
    return project["ParentRef"], doc.ref(project)


def test_credit_memos_and_refunds_reduce_revenue(with_projects, docs):
    client, project = _client_and_project(docs)
    item = docs["Item"][0]
    body = doc.invoice(client, project, [doc.sales_line(1, item, 2, Decimal("150.00"))], date(2026, 3, 2), "CM-1")
    credit = {**body, "Id": "9001", "SyncToken": "0"}
    refund = {**body, "Id": "9002", "SyncToken": "0"}

    ingest_ledger("CreditMemo", with_projects, [credit])
    ingest_ledger("RefundReceipt", with_projects, [refund])

    amounts = LedgerLine.objects.filter(company=with_projects, kind=Kind.REVENUE).values_list("txn_type", "amount")
    assert sorted(amounts) == [("CreditMemo", Decimal("-300.00")), ("RefundReceipt", Decimal("-300.00"))]


def test_a_card_credit_reduces_cost(with_projects, docs):
    _, project = _client_and_project(docs)
    line = doc.account_expense_line(
        1, docs["Account"][0], Decimal("75.25"), "Returned rental", customer=project, project=project
    )
    body = doc.purchase(docs["Vendor"][0], "Vendor", docs["Account"][0], "CreditCard", [line], date(2026, 3, 2))
    ingest_ledger("Purchase", with_projects, [{**body, "Credit": True, "Id": "77", "SyncToken": "0"}])

    assert LedgerLine.objects.get(company=with_projects, txn_qbo_id="77").amount == Decimal("-75.25")


def test_journal_lines_count_debits_up_and_credits_down_per_project(with_projects, docs):
    _, project = _client_and_project(docs)
    entry = {
        "Id": "501",
        "SyncToken": "2",
        "TxnDate": "2026-03-31",
        "DocNumber": "JE-7",
        "Line": [
            {
                "Id": "0",
                "Amount": Decimal("1200.00"),
                "DetailType": "JournalEntryLineDetail",
                "ProjectRef": project,
                "JournalEntryLineDetail": {
                    "PostingType": "Debit",
                    "AccountRef": {"value": "61", "name": "Direct Labor"},
                },
            },
            {
                "Id": "1",
                "Amount": Decimal("1200.00"),
                "DetailType": "JournalEntryLineDetail",
                "JournalEntryLineDetail": {
                    "PostingType": "Credit",
                    "AccountRef": {"value": "30", "name": "Accrued"},
                    "Entity": {"Type": "Customer", "EntityRef": project},
                },
            },
            {
                "Id": "2",
                "Amount": Decimal("5.00"),
                "DetailType": "JournalEntryLineDetail",
                "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "9"}},
            },
        ],
    }

    ingest_ledger("JournalEntry", with_projects, [entry])

    rows = LedgerLine.objects.filter(company=with_projects, txn_type="JournalEntry").order_by("line_id")
    assert [(r.line_id, r.amount, r.tagged_by, r.account_name) for r in rows] == [
        ("0", Decimal("1200.00"), TaggedBy.PROJECT_REF, "Direct Labor"),
        ("1", Decimal("-1200.00"), TaggedBy.CUSTOMER_REF, "Accrued"),
    ]
    assert {r.project.qbo_id for r in rows} == {project["value"]}


def test_time_is_costed_at_the_cost_rate_from_hours_and_minutes_or_start_and_end():
    assert hours({"Hours": 7, "Minutes": 30}) == Decimal("7.5000")
    assert hours(
        {
            "StartTime": "2026-03-02T08:00:00-08:00",
            "EndTime": "2026-03-02T17:15:00-08:00",
            "BreakHours": 0,
            "BreakMinutes": 45,
        }
    ) == Decimal("8.5000")


def test_time_lines_carry_hours_and_cost(synced, docs):
    entry = next(d for d in docs["TimeActivity"] if d.get("ProjectRef"))
    line = LedgerLine.objects.get(company=synced, txn_type="TimeActivity", txn_qbo_id=entry["Id"])
    assert line.hours == Decimal(entry["Hours"])
    assert line.amount == line.cost_amount == (Decimal(entry["Hours"]) * entry["CostRate"]).quantize(Decimal("0.01"))
    assert line.unit_price == entry["HourlyRate"]


def test_a_page_is_written_in_a_fixed_number_of_queries(with_projects, docs, django_assert_max_num_queries):
    bills = docs["Bill"]
    assert len(bills) > 20
    with django_assert_max_num_queries(8):
        ingest_ledger("Bill", with_projects, bills)


def _time_without_its_own_rate(docs, **changes) -> dict:
    entry = next(d for d in docs["TimeActivity"] if d.get("ProjectRef"))
    entry = {key: value for key, value in entry.items() if key != "CostRate"}
    return {**entry, "Hours": 4, "Minutes": 30, **changes}


def test_time_without_its_own_rate_is_costed_at_the_employees_cost_rate(with_projects, docs):
    """QuickBooks costs such time at the employee's CostRate: 4.5 h at 55.00 is 247.50, not 0.00."""
    entry = _time_without_its_own_rate(docs)
    employee = entry["EmployeeRef"]["value"]
    ReferenceRecord.objects.update_or_create(
        company=with_projects,
        entity="Employee",
        qbo_id=employee,
        defaults={"name": "Rosa Diaz", "qbo_document": {"Id": employee, "CostRate": Decimal("55.00")}},
    )
    ingest_ledger("TimeActivity", with_projects, [entry])

    line = LedgerLine.objects.get(company=with_projects, txn_type="TimeActivity", txn_qbo_id=entry["Id"])
    assert (line.hours, line.cost_rate, line.amount) == (Decimal("4.5"), Decimal("55.00"), Decimal("247.50"))
    assert line.person_name == entry["EmployeeRef"].get("name", "")


def test_time_with_no_rate_anywhere_costs_nothing_and_is_listed_on_the_health_page(
    with_projects, docs, client, django_user_model
):
    entry = _time_without_its_own_rate(docs, EmployeeRef={"value": "999", "name": "Nobody Rated"})
    ingest_ledger("TimeActivity", with_projects, [entry])

    line = LedgerLine.objects.get(company=with_projects, txn_type="TimeActivity", txn_qbo_id=entry["Id"])
    assert line.amount == Decimal("0.00") and line.cost_rate is None

    user = django_user_model.objects.create_user(email="viewer@example.com", password="x-Long-enough-1")
    Membership.objects.create(user=user, company=with_projects, role=Role.VIEWER)
    client.force_login(user)
    html = client.get(reverse("projects:health", args=[with_projects.pk])).content.decode()
    assert "Time without a cost rate" in html and "Nobody Rated" in html and "4.50" in html


def test_vendor_credits_reduce_the_projects_cost(synced, docs):
    """The demo returns goods to suppliers: each VendorCredit line charged to a project is a negative cost."""
    assert docs["VendorCredit"], "the demo has vendor credits"
    for credit in docs["VendorCredit"]:
        for line in credit["Line"]:
            row = LedgerLine.objects.get(
                company=synced, txn_type="VendorCredit", txn_qbo_id=credit["Id"], line_id=line["Id"]
            )
            assert row.kind == Kind.COST and row.amount == -line["Amount"]
            assert row.project.qbo_id == line["ProjectRef"]["value"]


def test_a_journal_line_to_a_cost_account_is_cost_and_the_other_side_is_not(with_projects, docs):
    """An accrual of 1,200.00 of labour to the project: the debit to a Cost of Goods Sold account is cost to date;
    the credit to the accrued liability stays a journal line outside every figure."""
    _, project = _client_and_project(docs)
    for qbo_id, name, account_type in (
        ("61", "Direct Labor", "Cost of Goods Sold"),
        ("30", "Accrued", "Other Current Liability"),
    ):
        ReferenceRecord.objects.update_or_create(
            company=with_projects,
            entity="Account",
            qbo_id=qbo_id,
            defaults={"name": name, "qbo_document": {"Id": qbo_id, "Name": name, "AccountType": account_type}},
        )
    line = {"Amount": Decimal("1200.00"), "DetailType": "JournalEntryLineDetail", "ProjectRef": project}
    entry = {
        "Id": "502",
        "TxnDate": "2026-03-31",
        "Line": [
            {**line, "Id": "0", "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "61"}}},
            {**line, "Id": "1", "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "30"}}},
        ],
    }
    ingest_ledger("JournalEntry", with_projects, [entry])

    rows = LedgerLine.objects.filter(company=with_projects, txn_type="JournalEntry").order_by("line_id")
    assert [(r.line_id, r.kind, r.amount) for r in rows] == [
        ("0", Kind.COST, Decimal("1200.00")),
        ("1", Kind.JOURNAL, Decimal("-1200.00")),
    ]


def test_a_purchase_order_is_committed_while_open_and_nothing_once_closed(synced, docs):
    """Open purchase orders are commitments; a closed one (received, billed) is not: its cost arrives as the bill."""
    order = next(
        d
        for d in docs["PurchaseOrder"]
        if d["POStatus"] == "Open" and any(line.get("ProjectRef") for line in d["Line"])
    )
    closed = [d for d in docs["PurchaseOrder"] if d["POStatus"] == "Closed"]
    assert closed, "the demo closes the purchase orders of complete projects"
    assert not LedgerLine.objects.filter(
        company=synced, txn_qbo_id__in=[d["Id"] for d in closed], txn_type="PurchaseOrder"
    ).exists()
    assert LedgerLine.objects.filter(company=synced, txn_qbo_id=order["Id"], kind=Kind.COMMITMENT).exists()

    ingest_ledger("PurchaseOrder", synced, [{**order, "POStatus": "Closed", "SyncToken": "9"}])

    assert not LedgerLine.objects.filter(company=synced, txn_type="PurchaseOrder", txn_qbo_id=order["Id"]).exists()
