"""The estimate form under any post: saved, redrawn with messages, or refused with a 400/409, never a 500."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.projects.test_estimate_form import BLANK_LINE, new_url, project, references

pytestmark = pytest.mark.django_db
__all__ = ["project", "references"]  # fixtures

numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.floats().map(str),
    st.sampled_from(["", "4", "2.5", "-1", "1e400", "1E-400", "0x10", "1,000", "١٢", " 3 ", "9" * 40, "NaN", "-0"]),
)
text = st.text(max_size=50) | st.sampled_from(["x" * 4001, "=SUM(A1)", "<b>", "\x00"])
choices = st.sampled_from(["", "1", "2", "3", "999", "NON", "TAX", "100", "200", "on"]) | st.text(max_size=5)
dates = st.sampled_from(["", "2026-05-01", "2026-02-30", "01/05/2026", "99999-01-01", "abc"]) | st.text(max_size=12)
counts = st.sampled_from(["", "0", "1", "2", "-1", "abc", "201", "1000000", "1e3"]) | st.integers().map(str)


@st.composite
def estimate_posts(draw):
    rows = draw(st.integers(min_value=0, max_value=4))
    data = {
        "version": draw(text),
        "txn_date": draw(dates),
        "expiration_date": draw(dates),
        "class_qbo_id": draw(choices),
        "department_qbo_id": draw(choices),
        "private_note": draw(text),
        "customer_memo": draw(text),
        "confirm_total": draw(numbers),
        "action": draw(st.sampled_from(["save", "send", "add_line", "", "other"])),
        "lines-TOTAL_FORMS": draw(counts) if draw(st.booleans()) else str(rows),
        "lines-INITIAL_FORMS": draw(counts) if draw(st.booleans()) else "0",
    }
    for index in range(rows):
        line = {
            **BLANK_LINE,
            "item": draw(choices),
            "description": draw(text),
            "qty": draw(numbers),
            "unit_price": draw(numbers),
            "unit_cost": draw(numbers),
            "tax_code": draw(choices),
            "class_qbo_id": draw(choices),
            "DELETE": draw(st.sampled_from(["", "on"])),
        }
        data.update({f"lines-{index}-{name}": value for name, value in line.items()})
    if draw(st.booleans()):  # a field dropped, as a tampered or truncated post would
        data.pop(draw(st.sampled_from(sorted(data))))
    return {
        key: value.replace("\x00", "") if "\x00" in value and draw(st.booleans()) else value
        for key, value in data.items()
    }


@given(post=estimate_posts())
def test_any_post_to_the_estimate_form_is_answered_never_a_server_error(
    login, accountant, company, project, references, post
):
    response = login(accountant).post(new_url(company, project), post)
    assert response.status_code in (200, 302, 400, 409), response.status_code
