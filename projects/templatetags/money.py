"""Money as accountants read it: thousands separated, two places, negatives in parentheses."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from quickbooks.sync.documents import CENT

register = template.Library()
TENTH = Decimal("0.1")


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(CENT)
    text = f"{abs(amount):,.2f}"
    return f"({text})" if amount < 0 else text


@register.filter
def percent_of(part, whole) -> str:
    """`part` as a percentage of `whole`, or a dash when there is no whole to speak of."""
    if not whole:
        return "—"
    return points(Decimal(part) / Decimal(whole))


@register.filter
def percent(ratio) -> str:
    """A ratio (0.4) as a percentage to one place (40.0%), or a dash when there is none."""
    if ratio is None or ratio == "":
        return "—"
    return points(Decimal(ratio))


def points(ratio: Decimal) -> str:
    """A ratio in percentage points to one place, rounded half up as every figure is (the exports write the same)."""
    return f"{(ratio * 100).quantize(TENTH, rounding=ROUND_HALF_UP)}%"


def price_text(value, separators: bool = True) -> str:
    """A unit price or cost as accountants read it: at least two places (95.00, 5.10), more where the price has them
    (33.335); QuickBooks keeps prices to seven places, so they are never rounded here."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    places = max(2, -number.as_tuple().exponent) if number.as_tuple().exponent < 0 else 2  # type: ignore[operator]
    return f"{number:,.{places}f}" if separators else f"{number:.{places}f}"


@register.filter
def price(value) -> str:
    """A unit price or cost on a page: 1,250.00, 5.10, 33.335; empty when there is none."""
    return price_text(value)


@register.filter
def cents(value) -> str:
    """An amount in whole cents, for the page's script to add exactly (BigInt): 1234.50 -> "123450"."""
    return str(int((Decimal(value or 0) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
