"""Two transactions writing the same QuickBooks object at once leave one row, never two, and neither fails.

Pulls of a company take turns under its pull lock, but a lock in the cache can lapse (a worker stalled past its
TTL), a retag's reply writes the ledger without it, and a live worker's first pull can meet a test's own. These
tests make the race happen on PostgreSQL (SQLite lets one transaction write at a time, so it cannot): the first
writer stops before it commits, the second runs into it, then the first commits.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from projects.ledger import sync as ledger_sync
from projects.models import LedgerLine
from quickbooks.models import ReferenceRecord
from quickbooks.sync import references, upsert

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writes one transaction at a time"),
]


class Race:
    """`first` runs in a thread and stops inside its transaction at `pause_point` (a module attribute wrapped to
    wait); `second` runs in another thread meanwhile; then `first` goes on and commits."""

    def __init__(self, monkeypatch, module, name):
        self.paused, self.go_on, self.errors = threading.Event(), threading.Event(), []
        original = getattr(module, name)

        def pause_point(*args, **kwargs):
            result = original(*args, **kwargs)
            if threading.current_thread().name == "first":
                self.paused.set()
                assert self.go_on.wait(30)
            return result

        monkeypatch.setattr(module, name, pause_point)

    def _thread(self, name, work):
        def run():
            try:
                work()
            except Exception as error:  # noqa: BLE001 - asserted by the test
                self.errors.append(error)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, name=name)
        thread.start()
        return thread

    def run(self, first, second) -> bool:
        """Returns whether `second` was still waiting on `first`'s uncommitted rows when `first` went on."""
        one = self._thread("first", first)
        assert self.paused.wait(30), self.errors
        two = self._thread("second", second)
        two.join(1.0)
        second_waited = two.is_alive()
        self.go_on.set()
        one.join(30)
        two.join(30)
        return second_waited


def customer(token: str, name: str) -> dict:
    return {"Id": "1", "SyncToken": token, "DisplayName": name, "MetaData": {"LastUpdatedTime": "2026-12-01T10:00:00Z"}}


def test_a_customer_two_writers_insert_at_once_is_one_row_holding_the_later_version(company, monkeypatch):
    race = Race(monkeypatch, references, "run_ingest_hooks")  # the first has inserted, not committed
    refused: list[set[str]] = []  # what each INSERT found another writer had stored first (spied, not replaced)
    create = upsert._create

    def spied_create(*args):
        refused.append(create(*args))
        return refused[-1]

    monkeypatch.setattr(upsert, "_create", spied_create)

    waited = race.run(
        lambda: references.ingest(company, [customer("0", "Old name")], entity="Customer"),
        lambda: references.ingest(company, [customer("1", "New name")], entity="Customer"),
    )

    assert waited  # the second's INSERT met the first's uncommitted row
    assert set().union(*refused) == {"1"}  # and was refused: the race really happened
    assert race.errors == []
    rows = ReferenceRecord.objects.filter(company=company, entity="Customer", qbo_id="1")
    assert [(r.name, r.sync_token) for r in rows] == [("New name", "1")]


def bill(token: str, amounts: list[str]) -> dict:
    return {
        "Id": "77",
        "SyncToken": token,
        "TxnDate": "2026-11-30",
        "Line": [
            {
                "Id": str(n),
                "Amount": Decimal(amount),
                "DetailType": "AccountBasedExpenseLineDetail",
                "ProjectRef": {"value": "500"},
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "60"}},
            }
            for n, amount in enumerate(amounts, start=1)
        ],
    }


def test_a_transaction_two_writers_replace_at_once_keeps_one_set_of_lines(company, monkeypatch):
    ledger_sync.ingest_ledger("Bill", company, [bill("0", ["100.00", "50.00"])])
    race = Race(monkeypatch, ledger_sync, "insert_rows")  # the first has replaced the lines, not committed

    waited = race.run(
        lambda: ledger_sync.ingest_ledger("Bill", company, [bill("1", ["120.00", "50.00"])]),
        lambda: ledger_sync.ingest_ledger("Bill", company, [bill("1", ["120.00", "50.00"])]),
    )

    assert waited
    assert race.errors == []
    lines = LedgerLine.objects.filter(company=company, txn_type="Bill", txn_qbo_id="77").order_by("line_id")
    assert [(line.line_id, line.amount, line.txn_sync_token) for line in lines] == [
        ("1", Decimal("120.00"), "1"),
        ("2", Decimal("50.00"), "1"),
    ]
