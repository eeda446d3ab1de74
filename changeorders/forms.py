"""The change order form: the parent estimate, the header, and the shared line table with negative quantities
(removed scope)."""

from typing import cast

from django import forms

from projects.documents.forms import HeaderForm, LineForm, decimal_field, line_formset
from quickbooks.models.fields import QUANTITY_MAX


class ChangeOrderForm(HeaderForm):
    """A change order's header: which accepted project estimate it changes, then the estimate header's fields."""

    date_noun = "change order"
    field_order = ["version", "estimate", "txn_date", "expiration_date"]

    estimate = forms.TypedChoiceField(
        label="Changes estimate",
        coerce=int,
        error_messages={
            "required": "Choose the accepted project estimate this change order changes.",
            "invalid_choice": "Choose one of this project's accepted project estimates in QuickBooks.",
        },
    )

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.parents = {parent.pk: parent for parent in parents}
        cast(forms.ChoiceField, self.fields["estimate"]).choices = [
            ("", "Choose the estimate"),
            *((parent.pk, f"{parent.title} ({parent.booked_subtotal:,} before tax)") for parent in parents),
        ]

    def header(self) -> dict:
        return {**super().header(), "estimate": self.parents[self.cleaned_data["estimate"]]}


class ChangeOrderLineForm(LineForm):
    """A change order line: a negative quantity takes scope out (QuickBooks wants the total positive)."""

    qty = decimal_field("Quantity", "4, 2.5, or -3 for removed scope", high=QUANTITY_MAX, negative=True)


LineFormSet = line_formset(ChangeOrderLineForm, "change order", "A change order")
