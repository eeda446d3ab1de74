"""The pull's bulk INSERT stores exactly what Django's `bulk_create` stores, column for column, on the database the
suite runs on: it hands the driver text, numbers, Decimals, dates and JSON as they are (a COPY on PostgreSQL,
sqlite3's own binding on SQLite), where Django would prepare each value first."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import connection

from projects.models import LedgerLine
from quickbooks.models import ReferenceRecord
from quickbooks.sync.bulk import insert_rows

pytestmark = pytest.mark.django_db


def stored(model, order_by: str) -> list[tuple]:
    """The table's rows as the database keeps them (no Django converters), without the primary key."""
    table, quote = model._meta.db_table, connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} ORDER BY {quote(order_by)}"  # noqa: S608
        )
        return cursor.fetchall()


def ledger_rows(company) -> list[dict]:
    """Lines with every kind of value a pull writes: Decimals (and empty ones), dates, choices, free text."""
    common = {"company": company, "project_qbo_id": "16", "tagged_by": LedgerLine.TaggedBy.PROJECT_REF}
    return [
        {
            **common,
            "txn_type": "Bill",
            "txn_qbo_id": "101",
            "line_id": "1",
            "txn_date": date(2026, 5, 31),
            "kind": LedgerLine.Kind.COST,
            "amount": Decimal("1234567.89"),
            "qty": Decimal("2.5000"),
            "unit_price": Decimal("-0.01"),
            "account_name": "Job Materials:Lumber 'n' \"trim\"",
            "description": "Décor ünïcode 🏗️",
        },
        {
            **common,
            "txn_type": "TimeActivity",
            "txn_qbo_id": "102",
            "kind": LedgerLine.Kind.COST,
            "amount": Decimal("0.00"),
            "hours": Decimal("7.2500"),
            "cost_rate": Decimal("42.1234"),
        },
        {**common, "txn_type": "Invoice", "txn_qbo_id": "103", "line_id": "2", "kind": "revenue", "amount": 5},
    ]


def test_ledger_lines_are_stored_as_bulk_create_stores_them(company):
    rows = ledger_rows(company)
    LedgerLine.objects.bulk_create(LedgerLine(**row) for row in rows)
    expected = stored(LedgerLine, "txn_qbo_id")
    LedgerLine.objects.all().delete()

    assert insert_rows(LedgerLine, rows) == len(rows)

    found = stored(LedgerLine, "txn_qbo_id")
    assert found == expected
    assert len(found) == len(rows)  # the comparison saw the rows


def test_documents_and_their_times_are_stored_as_bulk_create_stores_them(company):
    document = {"Id": "7", "DisplayName": "Ann's Décor", "Balance": Decimal("10.10"), "Lines": [1, None, True]}
    rows = [
        {
            "company": company,
            "entity": "Customer",
            "qbo_id": "7",
            "sync_token": "3",
            "name": "Ann's Décor",
            "qbo_document": document,
            "qbo_updated_at": datetime(2026, 5, 31, 23, 59, 58, 123000, tzinfo=UTC),
        },
        {  # QuickBooks' times carry the company's offset: stored as the same instant
            "company": company,
            "entity": "Vendor",
            "qbo_id": "8",
            "active": False,
            "qbo_document": {},
            "qbo_updated_at": datetime(2026, 12, 31, 17, 30, tzinfo=timezone(timedelta(hours=-8))),
        },
        {"company": company, "entity": "Item", "qbo_id": "9", "qbo_document": {"Name": "Labor"}},
    ]
    ReferenceRecord.objects.bulk_create(ReferenceRecord(**row) for row in rows)
    expected = stored(ReferenceRecord, "qbo_id")
    ReferenceRecord.objects.all().delete()

    insert_rows(ReferenceRecord, rows)

    assert stored(ReferenceRecord, "qbo_id") == expected
    record = ReferenceRecord.objects.get(qbo_id="7")
    assert record.qbo_document == document  # and the Decimal comes back a Decimal
    assert isinstance(record.qbo_document["Balance"], Decimal)


def test_an_update_by_primary_key_stores_what_save_stores(company):
    """The ON CONFLICT path a pull uses for rows QuickBooks changed: each row's fields rewritten by its pk."""
    rows = ledger_rows(company)
    insert_rows(LedgerLine, rows)
    changed = {
        "amount": Decimal("-42.10"),
        "txn_date": date(2027, 1, 2),
        "qty": None,
        "description": "Re-coded ✓",
        "kind": LedgerLine.Kind.COMMITMENT,
    }
    lines = list(LedgerLine.objects.order_by("txn_qbo_id"))
    for line in lines:
        for name, value in changed.items():
            setattr(line, name, value)
        line.save()
    expected = stored(LedgerLine, "txn_qbo_id")
    LedgerLine.objects.update(amount=Decimal("1.00"), txn_date=None, description="", kind=LedgerLine.Kind.COST)

    updates = [{f.attname: getattr(line, f.attname) for f in LedgerLine._meta.concrete_fields} for line in lines]
    insert_rows(LedgerLine, updates, update_fields=list(changed), unique_fields=["id"])

    assert stored(LedgerLine, "txn_qbo_id") == expected
    assert LedgerLine.objects.count() == len(rows)  # updated in place, none added
