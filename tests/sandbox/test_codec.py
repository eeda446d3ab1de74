from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from simplejson import RawJSON

from sandbox import codec
from sandbox.rest.public import public, public_json


def test_money_rounds_half_up_to_cents_as_quickbooks_does():
    assert codec.money(Decimal("100.005")) == Decimal("100.01")
    assert codec.money(Decimal("100.015")) == Decimal("100.02")
    assert codec.money(Decimal("-2.345")) == Decimal("-2.35")


def test_json_keeps_money_exact_both_ways():
    text = '{"Amount": 0.10000000000000000001, "Qty": 3}'

    value = codec.loads(text)

    assert value["Amount"] == Decimal("0.10000000000000000001")
    assert codec.dumps(value) == '{"Amount":0.10000000000000000001,"Qty":3}'


# ---- stored JSON passed through unchanged (the REST query pages and CDC) ----

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.sampled_from([Decimal("-0"), Decimal("-0.00"), Decimal("0E-7"), Decimal("1E+2"), Decimal("-5")])
    | st.text()
    | st.sampled_from(["_private", "A-0", "-0,", "x-0]", "2024-06-26T09:20:16-07:00", 'q"_uote'])
)
KEYS = st.text(max_size=6) | st.sampled_from(["_project", "_x", "Id", "Line", "-0"])
DOCUMENTS = st.dictionaries(
    KEYS,
    st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4)),
    max_size=6,
)


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS)
def test_a_stored_document_passed_through_answers_the_bytes_of_decoding_it(document):
    stored = codec.dumps(document)  # as Entity.document stores it

    assert codec.dumps([public_json(stored)]) == codec.dumps([public(codec.loads(stored))])


def test_plain_stored_json_is_not_decoded_and_private_keys_still_are_left_out():
    plain = '{"Id":"1","TotalAmt":10.50,"MetaData":{"CreateTime":"2024-06-26T09:20:16-07:00"}}'
    private = '{"Id":"2","_project":{"status":"OPEN"},"Note":"x"}'

    assert isinstance(public_json(plain), RawJSON)
    assert public_json(private) == {"Id": "2", "Note": "x"}
    assert codec.dumps({"rows": [public_json(plain)]}) == '{"rows":[' + plain + "]}"
    assert codec.dumps([public_json('{"Qty":-0}')]) == '[{"Qty":0}]'  # -0 reads back as 0, as it always did
