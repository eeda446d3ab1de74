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
