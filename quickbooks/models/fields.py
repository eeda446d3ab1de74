"""Model fields sized as QuickBooks keeps its numbers, and the rule of one local copy per QuickBooks object."""

from typing import Any

from django.db import models
from django.db.models import Q

MONEY_DIGITS, MONEY_PLACES = 15, 2  # amounts: up to 9,999,999,999,999.99
QUANTITY_DIGITS, QUANTITY_PLACES = 20, 7  # QuickBooks keeps quantities, unit prices and costs to 7 places
MONEY_FIELD = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)  # for expressions' output


def money_field(verbose_name: str | None = None, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def quantity_field(verbose_name: str | None = None, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES, **kwargs)


def unique_qbo_id(name: str) -> models.UniqueConstraint:
    """One local copy per QuickBooks object; rows not yet sent to QuickBooks have no id."""
    return models.UniqueConstraint(fields=["company", "qbo_id"], condition=~Q(qbo_id=""), name=name)
