from django import forms

from .services import MAX_REASON


class CloseForm(forms.Form):
    period_end = forms.DateField(label="Period end", widget=forms.DateInput(attrs={"type": "date"}))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen it",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "e.g. a subcontractor's March bill arrived late"}),
        error_messages={"required": "Say why the period is reopened: the reason is kept with the close."},
    )


class WipAccountsForm(forms.Form):
    """The accounts the WIP adjustment is booked to, from the company's chart of accounts (as the last sync read it)."""

    revenue_qbo_id = forms.ChoiceField(label="Contract revenue (income)")
    under_billing_qbo_id = forms.ChoiceField(label="Costs and estimated earnings in excess of billings (an asset)")
    over_billing_qbo_id = forms.ChoiceField(label="Billings in excess of costs and estimated earnings (a liability)")
    loss_expense_qbo_id = forms.ChoiceField(label="Provision for losses: the expense", required=False)
    loss_provision_qbo_id = forms.ChoiceField(label="Provision for losses: the liability", required=False)

    def __init__(self, *args, accounts: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.choices = [("", "Choose an account" if field.required else "None"), *accounts]  # type: ignore[attr-defined]
            field.error_messages["required"] = "Choose the account: the journal entry needs it."
            field.error_messages["invalid_choice"] = "Choose one of the company's accounts (sync again for new ones)."

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean returns; the stubs allow None
        chosen = [data.get(name) for name in ("revenue_qbo_id", "under_billing_qbo_id", "over_billing_qbo_id")]
        if all(chosen) and len(set(chosen)) < 3:
            raise forms.ValidationError("Revenue, the asset and the liability are three different accounts.")
        if bool(data.get("loss_expense_qbo_id")) != bool(data.get("loss_provision_qbo_id")):
            raise forms.ValidationError("Choose both provision accounts, or neither.")
        return data
