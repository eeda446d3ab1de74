"""Money as accountants read it: thousands separated, two places, negatives in parentheses."""

from decimal import Decimal

from django import template

from quickbooks.sync.documents import CENT

register = template.Library()


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
    return f"{Decimal(part) / Decimal(whole) * 100:.1f}%"


@register.filter
def percent(ratio) -> str:
    """A ratio (0.4) as a percentage to one place (40.0%), or a dash when there is none."""
    if ratio is None or ratio == "":
        return "—"
    return f"{Decimal(ratio) * 100:.1f}%"
