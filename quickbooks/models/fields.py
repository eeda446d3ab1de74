"""Model fields sized as QuickBooks keeps its numbers, and the rule of one local copy per QuickBooks object."""

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q

MONEY_DIGITS, MONEY_PLACES = 15, 2  # amounts: up to 9,999,999,999,999.99
QUANTITY_DIGITS, QUANTITY_PLACES = 20, 7  # QuickBooks keeps quantities, unit prices and costs to 7 places
# Sums and differences of amounts (a company's contract value, its total cost) outgrow one amount's column: SQLite
# reads a figure back through a Decimal context of max_digits, so an expression's output is sized for totals.
MONEY_FIELD = models.DecimalField(max_digits=28, decimal_places=MONEY_PLACES)

# What Costline writes: ten digits before the point for an amount, a unit price or cost, a line and a document's
# total. The column holds thirteen, so even a document of 200 lines at the bound sums without overflowing it.
MONEY_MAX = Decimal("9999999999.99")
QUANTITY_MAX = Decimal("9999999")  # ten million units of anything; the line's amount is bounded on its own


def money_field(verbose_name: str | None = None, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def quantity_field(verbose_name: str | None = None, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES, **kwargs)


def unique_qbo_id(name: str) -> models.UniqueConstraint:
    """One local copy per QuickBooks object; rows not yet sent to QuickBooks have no id."""
    return models.UniqueConstraint(fields=["company", "qbo_id"], condition=~Q(qbo_id=""), name=name)
