"""What the estimate and change order pages share: the line table's rows and totals as the server computes
them, the form's initial lines, and a few parsing helpers for posted values."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages

from quickbooks.sync.documents import plain

from ..templatetags.money import price_text
from .forms import MAX_LINES, StatusForm
from .lines import ITEM_LINE, line_totals, markup_percent, priced

PREFIX = "lines"
SENT = "Saved and queued for QuickBooks: it is sent in the background, and this page shows when it has arrived."
DRAFTED = "Saved as a draft, not yet in QuickBooks."
PM_DRAFTED = DRAFTED + " An accountant will send it to QuickBooks."


def saved_message(sent: bool, sends: bool) -> str:
    """What a save says: sent, or a draft (which an accountant sends, when the one saving cannot)."""
    return SENT if sent else (DRAFTED if sends else PM_DRAFTED)


def stale_message(noun: str) -> str:
    """Said when the document changed in QuickBooks while the form was open; nothing typed is lost."""
    return (
        f"This {noun} changed in QuickBooks (or reached it) while you were editing. Your changes are still below: "
        f"compare them with the {noun}'s page, then save again to send them."
    )


def keep(document) -> dict:
    """QuickBooks records the document already uses stay choosable, even if inactive now."""
    if document.pk is None:
        return {}
    lines = list(document.lines.values_list("item_qbo_id", "class_qbo_id"))
    return {
        "item": {i for i, _ in lines},
        "class": {c for _, c in lines} | {document.class_qbo_id},
        "location": {document.department_qbo_id},
    }


def initial_lines(document) -> list[dict]:
    """The document's item lines as the line table's initial rows (numbers as typed, not as stored)."""
    if document.pk is None:
        return []
    rows = document.lines.filter(detail_type=ITEM_LINE).values()
    return [
        {
            **row,
            "item": row["item_qbo_id"],
            "qty": plain(row["qty"]),
            "unit_price": typed_price(row["unit_price"]),
            "unit_cost": typed_price(row["unit_cost"]),
        }
        for row in rows
    ]


def typed_price(value: Decimal | None) -> Decimal | None:
    """A stored price as the form shows it: 95.00 and 5.10, not 95.0000000 or 5.1."""
    return None if value is None else Decimal(price_text(value, separators=False))


def with_one_more_line(data):
    """The posted data with one more blank row ("Add line" without the script)."""
    data = data.copy()
    rows = posted_count(data.get(f"{PREFIX}-TOTAL_FORMS"))
    data[f"{PREFIX}-TOTAL_FORMS"] = str(min(rows + 1, MAX_LINES))
    return data


def posted_count(value: str | None) -> int:
    """The row count the page posted; a tampered one counts as none (the formset then says what is missing)."""
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def posted_decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def row_figures(form) -> dict | None:
    """A line's amount, cost and markup as the server computes them (None while the line is incomplete)."""
    if form.is_bound:
        line = form.line() if form.is_valid() and form.cleaned_data.get("item") else None
    elif form.initial.get("qty") is None or form.initial.get("unit_price") is None:
        line = None
    else:
        line = priced(form.initial)
    return line and {**line, "markup": markup_percent(line["amount"], line["cost_amount"])}


def line_table(formset) -> dict:
    """The rows (form, figures) and totals the line table shows."""
    rows = [(line_form, row_figures(line_form)) for line_form in formset.forms]
    counted = [
        figures
        for line_form, figures in rows
        if figures and not (line_form.is_bound and line_form.cleaned_data.get("DELETE"))
    ]
    return {"formset": formset, "rows": rows, "totals": line_totals(counted)}


def shown_lines(document) -> list:
    """The document's lines to read, each with its markup; quantities as typed (4, not 4.0000000)."""
    lines = []
    for line in document.lines.all():
        line.qty = plain(line.qty)
        lines.append((line, markup_percent(line.amount, line.cost_amount)))
    return lines


def posted_status(request, statuses) -> dict | None:
    """The status form's values as posted, or None after a message saying why they were refused."""
    form = StatusForm(request.POST, statuses=statuses)
    if form.is_valid():
        return form.cleaned_data
    errors = " ".join(str(e) for errs in form.errors.values() for e in errs)  # ErrorList yields str; str() for mypy
    messages.error(request, "Status not changed: " + errors)
    return None
