"""Priced lines: amount and cost as QuickBooks computes them, the totals, the bounds, and the stored item lines."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from quickbooks.models.fields import MONEY_MAX
from quickbooks.sync.documents import CENT

TENTH = Decimal("0.1")
ITEM_LINE = "SalesItemLineDetail"
LINE_FIELDS = [
    "item_qbo_id",
    "item_name",
    "description",
    "qty",
    "unit_price",
    "amount",
    "unit_cost",
    "cost_amount",
    "tax_code",
    "class_qbo_id",
    "class_name",
]
TEXT_LINE_FIELDS = {"item_qbo_id", "item_name", "description", "tax_code", "class_qbo_id", "class_name"}


def to_cents(value: Decimal) -> Decimal:
    """Round once, where QuickBooks rounds: half up, to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def markup_percent(amount: Decimal | None, cost: Decimal | None) -> Decimal | None:
    """(amount - cost) / cost, as a percentage to one place; none without a cost to mark up."""
    if amount is None or not cost:
        return None
    return ((amount - cost) / cost * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def priced(line: dict) -> dict:
    """A line with its amount (qty x unit price) and cost amount (qty x unit cost), as QuickBooks computes them."""
    cost = None if line.get("unit_cost") is None else to_cents(line["qty"] * line["unit_cost"])
    return {**line, "amount": to_cents(line["qty"] * line["unit_price"]), "cost_amount": cost}


def amount_problem(what: str, amount: Decimal | None) -> str | None:
    """Why QuickBooks (and the column) would not hold this amount, in words; None when it fits."""
    if amount is None or abs(amount) <= MONEY_MAX:
        return None
    return f"{what} comes to {amount:,}: at most {MONEY_MAX:,} goes to QuickBooks. Lower the quantity or the price."


@dataclass(frozen=True)
class Totals:
    amount: Decimal
    cost: Decimal | None

    @property
    def markup(self) -> Decimal | None:
        return markup_percent(self.amount, self.cost)


def line_totals(lines: list[dict]) -> Totals:
    """The total of priced lines (before tax: QuickBooks adds tax when it receives the document)."""
    costs = [line["cost_amount"] for line in lines if line.get("cost_amount") is not None]
    amount = sum((line["amount"] for line in lines), Decimal("0.00"))
    return Totals(amount=amount, cost=sum(costs, Decimal("0.00")) if costs else None)


def stored_values(line: dict) -> dict:
    """A priced line as the line model's fields (text never None)."""
    values = {name: (line.get(name) or "") if name in TEXT_LINE_FIELDS else line.get(name) for name in LINE_FIELDS}
    return {**values, "line_id": line.get("line_id") or ""}


def check_amounts(lines: list[dict], totals: Totals, what: str) -> str | None:
    """The first line, cost or total past what QuickBooks takes, in words; None when all fit."""
    amounts = [(f"Line {n}", line["amount"]) for n, line in enumerate(lines, start=1)]
    costs = [(f"Line {n}'s cost", line["cost_amount"]) for n, line in enumerate(lines, start=1)]
    for label, amount in [*amounts, *costs, (what, totals.amount), ("Its cost", totals.cost)]:
        if problem := amount_problem(label, amount):
            return problem
    return None


def replace_item_lines(document, lines: list[dict], *, extra: dict | None = None) -> None:
    """The forms edit item lines: they are replaced; other lines (description, discount, group) stay as they are.

    A line keeps its QuickBooks line id only if the document had it, so QuickBooks updates that line in place.
    `extra` holds fields every new line gets (a change order's link to its parent estimate).
    """
    related = document.lines
    old = related.filter(detail_type=ITEM_LINE)
    known_ids = set(old.exclude(line_id="").values_list("line_id", flat=True))
    old.delete()
    related.model.objects.bulk_create(
        related.model(
            **{related.field.name: document},
            line_num=number,
            detail_type=ITEM_LINE,
            **{**line, "line_id": line["line_id"] if line["line_id"] in known_ids else ""},
            **(extra or {}),
        )
        for number, line in enumerate(lines, start=1)
    )
