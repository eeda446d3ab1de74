"""The project estimate form: header, the shared line table (projects.documents.forms), and the status form."""

from django import forms

from ..documents.forms import (
    MAX_MEMO,
    MAX_NOTE,
    LineForm,
    ReferenceForm,
    ReferenceSelect,
    line_formset,
    text_field,
)


class HeaderForm(ReferenceForm):
    """A sales document's header (estimate, change order); customer and project are fixed by the page."""

    records = {"class_qbo_id": "classes", "department_qbo_id": "locations"}
    keep_as = {"class_qbo_id": "class", "department_qbo_id": "location"}
    date_noun = "document"

    version = forms.CharField(required=False, widget=forms.HiddenInput)  # the SyncToken the form was loaded at
    txn_date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    expiration_date = forms.DateField(
        label="Expiration date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    class_qbo_id = ReferenceSelect(label="Class", what="class")
    department_qbo_id = ReferenceSelect(label="Location", what="location")
    private_note = text_field("Memo (private note)", MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))
    customer_memo = text_field("Message to customer", MAX_MEMO, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        start, end = data.get("txn_date"), data.get("expiration_date")
        if start and end and end < start:
            self.add_error("expiration_date", f"The expiration date is before the {self.date_noun}'s date.")
        return data

    def header(self) -> dict:
        """The document fields this form sets."""
        data, refs = self.cleaned_data, self.references
        return {
            "txn_date": data["txn_date"],
            "expiration_date": data["expiration_date"],
            "class_qbo_id": data["class_qbo_id"],
            "class_name": refs.name(refs.classes, data["class_qbo_id"]),
            "department_qbo_id": data["department_qbo_id"],
            "department_name": refs.name(refs.locations, data["department_qbo_id"]),
            "private_note": data["private_note"],
            "customer_memo": data["customer_memo"],
        }


class EstimateForm(HeaderForm):
    date_noun = "estimate"


LineFormSet = line_formset(LineForm, "estimate", "An estimate")
