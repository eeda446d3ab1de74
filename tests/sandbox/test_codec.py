from decimal import Decimal

from sandbox import codec


def test_money_rounds_half_up_to_cents_as_quickbooks_does():
    assert codec.money(Decimal("100.005")) == Decimal("100.01")
    assert codec.money(Decimal("100.015")) == Decimal("100.02")
    assert codec.money(Decimal("-2.345")) == Decimal("-2.35")


def test_json_keeps_money_exact_both_ways():
    text = '{"Amount": 0.10000000000000000001, "Qty": 3}'

    value = codec.loads(text)

    assert value["Amount"] == Decimal("0.10000000000000000001")
    assert codec.dumps(value) == '{"Amount":0.10000000000000000001,"Qty":3}'
