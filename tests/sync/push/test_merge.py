"""Three-way merge rules: one-sided changes merge, two-sided different changes conflict, read-only keys don't count."""

from decimal import Decimal

from quickbooks.sync.merge import changed_fields, merge, project

BASE = {
    "Id": "7",
    "SyncToken": "3",
    "PrivateNote": "old note",
    "TxnDate": "2026-11-01",
    "Line": [
        {
            "Id": "1",
            "LineNum": 1,
            "Amount": Decimal("100.00"),
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"Qty": Decimal("1"), "UnitPrice": Decimal("100.00"), "ItemRef": {"value": "5"}},
        }
    ],
}
LOCAL = {
    "PrivateNote": "old note",
    "TxnDate": "2026-11-01",
    "Line": [
        {
            "Amount": Decimal("100"),
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"Qty": Decimal("1"), "UnitPrice": Decimal("100"), "ItemRef": {"value": "5"}},
        }
    ],
}


def test_read_only_keys_quickbooks_adds_do_not_count_as_changes():
    assert changed_fields(base=BASE, local=LOCAL) == {}
    assert project(BASE["Line"], LOCAL["Line"]) == LOCAL["Line"]


def test_never_synced_sends_every_field():
    assert changed_fields(base={}, local=LOCAL) == LOCAL


def test_changes_to_different_fields_merge():
    local = {**LOCAL, "PrivateNote": "new note"}
    remote = {**BASE, "SyncToken": "4", "TxnDate": "2026-11-05"}

    result = merge(base=BASE, local=local, remote=remote)

    assert result.clean
    assert result.local_changes == {"PrivateNote": "new note"}
    assert result.remote_changes == ["TxnDate"]


def test_changes_to_the_same_field_conflict():
    result = merge(base=BASE, local={**LOCAL, "PrivateNote": "ours"}, remote={**BASE, "PrivateNote": "theirs"})

    assert result.conflicts == ["PrivateNote"]
    assert not result.clean


def test_the_same_change_on_both_sides_is_no_conflict():
    result = merge(base=BASE, local={**LOCAL, "PrivateNote": "same"}, remote={**BASE, "PrivateNote": "same"})

    assert result.clean and result.local_changes == {"PrivateNote": "same"}


def test_lines_are_one_field_because_quickbooks_replaces_them_whole():
    local_line = {**LOCAL["Line"][0], "Amount": Decimal("150")}
    remote_line = {**BASE["Line"][0], "Id": "1", "Amount": Decimal("120.00")}

    result = merge(base=BASE, local={**LOCAL, "Line": [local_line]}, remote={**BASE, "Line": [remote_line]})

    assert result.conflicts == ["Line"]
