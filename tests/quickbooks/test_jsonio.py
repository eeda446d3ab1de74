"""JSON with money exact, and a large reply decoded with the cyclic garbage collector paused, or in a pull's scope
frozen out of it."""

import gc
from decimal import Decimal

import msgspec
import pytest

from quickbooks.client import jsonio


def _page(documents: int) -> bytes:
    bill = {"Amount": Decimal("12.50"), "Line": [{"Qty": 3, "UnitPrice": Decimal("0.1")}]}
    return jsonio.body({"QueryResponse": {"Bill": [{"Id": str(n), **bill} for n in range(documents)]}})


@pytest.fixture
def collector_seen(monkeypatch):
    """The decoder's float hook notes whether the collector was on while each number was read."""
    seen: list[bool] = []

    def hook(text):
        seen.append(gc.isenabled())
        return Decimal(text)

    monkeypatch.setattr(jsonio, "_decoder", msgspec.json.Decoder(float_hook=hook))
    return seen


def test_money_round_trips_exactly():
    value = jsonio.loads(jsonio.body({"Amount": Decimal("1234567.89"), "Rate": Decimal("0.1")}))
    assert value == {"Amount": Decimal("1234567.89"), "Rate": Decimal("0.1")}
    assert type(value["Rate"]) is Decimal


def test_a_large_reply_is_decoded_with_the_collector_off_and_it_is_on_again_after(collector_seen):
    small, large = _page(2), _page(2000)
    assert len(small) < jsonio.LARGE <= len(large)
    assert gc.isenabled()

    assert jsonio.loads(small)["QueryResponse"]["Bill"][1]["Amount"] == Decimal("12.50")
    assert collector_seen and all(collector_seen)  # a small value: nothing paused
    collector_seen.clear()

    bills = jsonio.loads(large)["QueryResponse"]["Bill"]
    assert len(bills) == 2000 and bills[-1]["Line"][0]["UnitPrice"] == Decimal("0.1")
    assert collector_seen and not any(collector_seen)
    assert gc.isenabled()


def test_a_collector_its_owner_turned_off_stays_off_and_a_failed_decode_turns_it_back_on(collector_seen):
    gc.disable()
    try:
        jsonio.loads(_page(2000))
        assert not gc.isenabled()
    finally:
        gc.enable()
    broken = _page(2000)[:-10]
    with pytest.raises(msgspec.DecodeError):
        jsonio.loads(broken)
    assert gc.isenabled()


def test_in_a_pull_s_scope_a_large_reply_is_frozen_out_of_the_collector_and_handed_back_when_the_scope_ends():
    assert gc.get_freeze_count() == 0
    jsonio.loads(_page(2000))
    assert gc.get_freeze_count() == 0  # outside any scope nothing is frozen

    with jsonio.replies_frozen():
        held = gc.get_freeze_count()  # what the process held as the scope began
        assert held > 0
        bills = jsonio.loads(_page(2000))["QueryResponse"]["Bill"]
        after_large = gc.get_freeze_count()
        assert after_large >= held + 2 * len(bills)  # each bill and its Line list (a dict of numbers is untracked)
        jsonio.loads(_page(2))
        assert gc.get_freeze_count() == after_large  # a small reply is left to the collector
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_scope_inside_another_leaves_the_replies_frozen_until_the_outer_one_ends():
    with jsonio.replies_frozen():
        with jsonio.replies_frozen():
            jsonio.loads(_page(2000))
        assert gc.get_freeze_count() > 4000
    assert gc.get_freeze_count() == 0
