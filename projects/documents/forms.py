"""The line table's forms, shared by estimates and change orders: QuickBooks name lists as choices, numbers typed
as text and parsed as Decimal (a mistyped number comes back with a message on its line instead of being dropped),
and a growable formset of item lines."""

from collections.abc import Set as AbstractSet
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from quickbooks.models import ReferenceRecord
from quickbooks.models.fields import MONEY_MAX, QUANTITY_MAX, QUANTITY_PLACES
from quickbooks.sync.documents import number

from ..models import TxnStatus
from .lines import amount_problem, priced

# Intuit's lengths for what the forms push (docs/quickbooks-api.md, Limits); AcceptedBy has none published, so it
# is held to its column.
MAX_DESCRIPTION, MAX_NOTE, MAX_MEMO, MAX_ACCEPTED_BY = 4000, 4000, 1000, 200
MAX_LINES = 200
LINE_TAX_CODES = [("NON", "Non-taxable"), ("TAX", "Taxable")]  # what a US company's lines take (TaxCodeRef)


class References:
    """The company's items, classes and locations as QuickBooks last sent them: id -> record."""

    items: dict[str, ReferenceRecord]
    accounts: dict[str, ReferenceRecord]
    classes: dict[str, ReferenceRecord]
    locations: dict[str, ReferenceRecord]

    def __init__(self, company):
        rows = ReferenceRecord.objects.filter(company=company, entity__in=["Item", "Account", "Class", "Department"])
        self.items, self.accounts, self.classes, self.locations = {}, {}, {}, {}
        by_entity = {"Item": self.items, "Account": self.accounts, "Class": self.classes, "Department": self.locations}
        for record in rows.order_by("fully_qualified_name", "name"):
            by_entity[record.entity][record.qbo_id] = record

    @staticmethod
    def choices(records: dict, keep: AbstractSet[str] = frozenset(), blank: str = "—") -> list[tuple[str, str]]:
        """Active records, and inactive ones already in use (so an edit shows what is there)."""
        shown = [(r.qbo_id, label(r)) for r in records.values() if r.active or r.qbo_id in keep]
        return [("", blank), *shown]

    def name(self, records: dict, qbo_id: str) -> str:
        return label(records[qbo_id]) if qbo_id else ""


def label(record: ReferenceRecord) -> str:
    return record.fully_qualified_name or record.name or record.qbo_id


def item_price(record: ReferenceRecord, key: str) -> Decimal | None:
    """The item's UnitPrice or PurchaseCost, exact."""
    return number((record.qbo_document or {}).get(key))


def decimal_field(label_: str, example: str, *, high: Decimal, negative: bool = False) -> forms.DecimalField:
    """A number typed as text, bounded to what QuickBooks and the column hold, every refusal in words."""
    low = -high if negative else Decimal(0)
    bounds = f"{label_} must be between {low:,} and {high:,}." if negative else f"{label_} can be at most {high:,}."
    return forms.DecimalField(
        label=label_,
        required=False,
        decimal_places=QUANTITY_PLACES,  # the bounds below keep it within the column's digits
        min_value=low,
        max_value=high,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "num"}),
        error_messages={
            "invalid": f"{label_} must be a number, like {example}.",
            "min_value": bounds if negative else f"{label_} can't be negative.",
            "max_value": bounds,
            "max_decimal_places": f"{label_} takes at most {QUANTITY_PLACES} decimal places.",
        },
    )


def text_field(label_: str, limit: int, **kwargs) -> forms.CharField:
    """Free text pushed to QuickBooks, held to Intuit's length for that field (docs/quickbooks-api.md, Limits)."""
    return forms.CharField(
        label=label_,
        required=False,
        max_length=limit,
        error_messages={"max_length": f"QuickBooks takes at most {limit:,} characters here."},
        **kwargs,
    )


def reference_error(records: dict, qbo_id: str, what: str) -> str | None:
    record = records.get(qbo_id)
    if record is None:
        return f"Choose a {what} from the list (QuickBooks has no {what} with id {qbo_id})."
    if not record.active:
        return (
            f"{label(record)} is inactive in QuickBooks: choose another {what}, or make it active in "
            "QuickBooks and sync again."
        )
    return None


class ReferenceSelect(forms.CharField):
    """A select of QuickBooks records, validated against the whole list so an inactive one gets its own message."""

    def __init__(self, *, what: str, **kwargs):
        self.what = what
        super().__init__(required=False, widget=forms.Select, **kwargs)


class ReferenceForm(forms.Form):
    """A form whose ReferenceSelect fields choose from the company's name lists (`records` names which)."""

    records: dict[str, str] = {}  # field name -> References attribute ("items", "classes", "locations")
    keep_as: dict[str, str] = {}  # field name -> the `keep` key whose ids stay choosable when inactive

    def __init__(self, *args, references: References, keep: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.references, keep = references, keep or {}
        for name, attribute in self.records.items():
            records, kept = getattr(references, attribute), keep.get(self.keep_as.get(name, ""), set())
            if name == "item":
                self.fields[name].widget = ItemSelect(references, kept)
            else:
                self.fields[name].widget.choices = references.choices(records, kept)

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean returns; the stubs allow None
        for name, attribute in self.records.items():
            value, field = data.get(name), self.fields[name]
            if value and name not in self.errors:
                records = getattr(self.references, attribute)
                if error := reference_error(records, value, field.what):  # type: ignore[attr-defined]
                    self.add_error(name, error)
        return data


# The document fields HeaderForm sets: what a save writes of the header (a worker may write the rest meanwhile).
HEADER_FIELDS = [
    "txn_date",
    "expiration_date",
    "class_qbo_id",
    "class_name",
    "department_qbo_id",
    "department_name",
    "private_note",
    "customer_memo",
]
STATUS_FIELDS = ["status", "accepted_by", "accepted_date"]


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


class LineForm(ReferenceForm):
    """One item line: item, description, quantity, unit price and cost, tax, class; priced as QuickBooks does."""

    records = {"item": "items", "class_qbo_id": "classes"}
    keep_as = {"item": "item", "class_qbo_id": "class"}
    negative_qty = False  # change orders take negative quantities: removed scope

    line_id = forms.CharField(required=False, widget=forms.HiddenInput)
    item = ReferenceSelect(label="Item", what="item")
    description = text_field("Description", MAX_DESCRIPTION)
    qty = decimal_field("Quantity", "4 or 2.5", high=QUANTITY_MAX)
    unit_price = decimal_field("Unit price", "250 or 12.50", high=MONEY_MAX, negative=True)
    unit_cost = decimal_field("Unit cost", "180 or 9.75", high=MONEY_MAX)
    tax_code = forms.ChoiceField(label="Tax", required=False, choices=LINE_TAX_CODES, initial="NON")
    class_qbo_id = ReferenceSelect(label="Class", what="class")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        item = self.references.items.get(data.get("item") or "")
        if item is None:
            self.add_error("item", "Choose an item for this line, or remove the line.")
            return data
        if data.get("unit_price") is None:  # as the script does: an empty price is the item's
            data["unit_price"] = item_price(item, "UnitPrice")
        if data.get("unit_cost") is None:
            data["unit_cost"] = item_price(item, "PurchaseCost")
        if data.get("qty") is None:
            self.add_error("qty", "Enter a quantity.")
        if data.get("unit_price") is None:
            self.add_error("unit_price", f"Enter a unit price ({label(item)} has none in QuickBooks).")
        if not self.errors:
            line = priced(data)
            for field, what, amount in (
                ("qty", "This line", line["amount"]),
                ("unit_cost", "Its cost", line["cost_amount"]),
            ):
                if problem := amount_problem(what, amount):
                    self.add_error(field, problem)
        return data

    def line(self) -> dict:
        data, refs = self.cleaned_data, self.references
        item = refs.items[data["item"]]
        return priced(
            {
                "line_id": data["line_id"],
                "item_qbo_id": item.qbo_id,
                "item_name": label(item),
                "description": data["description"],
                "qty": data["qty"],
                "unit_price": data["unit_price"],
                "unit_cost": data["unit_cost"],
                "tax_code": data["tax_code"],
                "class_qbo_id": data["class_qbo_id"],
                "class_name": refs.name(refs.classes, data["class_qbo_id"]),
            }
        )


class ItemSelect(forms.Select):
    """Item options carry the item's price and cost, which the script fills in when an item is chosen."""

    def __init__(self, references: References, keep: AbstractSet[str]):
        super().__init__(choices=references.choices(references.items, keep, blank="Choose an item"))
        self.records = references.items

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        record = self.records.get(str(value))
        if record is not None:
            for key, attr in (("UnitPrice", "data-item-price"), ("PurchaseCost", "data-item-cost")):
                if (found := item_price(record, key)) is not None:
                    option["attrs"][attr] = str(found)
        return option


class BaseLineFormSet(forms.BaseFormSet):
    noun, a_noun = "document", "A document"

    def __init__(self, *args, **kwargs):
        messages = {
            "too_many_forms": f"{self.a_noun} takes at most %(num)d lines: split the work into two {self.noun}s.",
            "missing_management_form": f"The page's line count was missing or changed. Nothing was saved: reload "
            f"the {self.noun} and try again.",
        }
        kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        super().__init__(*args, **kwargs)

    def clean(self):
        if any(self.errors) or not self.management_form.is_valid():  # Django has said what is wrong
            return
        lines = self.lines()
        if not lines:
            raise ValidationError("Add at least one line: an item with its quantity and unit price.")
        if problem := amount_problem(f"The {self.noun}", sum(line["amount"] for line in lines)):
            raise ValidationError(problem)

    def lines(self) -> list[dict]:
        """The filled-in lines, in order (blank and removed rows are dropped)."""
        kept = self.initial_form_count()
        return [
            form.line()
            for index, form in enumerate(self.forms)
            if (index < kept or form.has_changed()) and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


def line_formset(form: type[LineForm], noun: str, a_noun: str):
    """A formset of `form` lines for a `noun` ("estimate", "An estimate"): growable up to MAX_LINES."""
    formset = type(f"{form.__name__}Set", (BaseLineFormSet,), {"noun": noun, "a_noun": a_noun})
    return forms.formset_factory(
        form,
        formset=formset,
        extra=0,
        can_delete=True,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES + 1,  # a tampered line count builds at most one form more than the page may hold
    )


class StatusForm(forms.Form):
    """The customer's decision on an estimate or change order: accepted (by whom, when), rejected, or pending."""

    status = forms.ChoiceField()
    accepted_by = text_field("Accepted by", MAX_ACCEPTED_BY)
    accepted_date = forms.DateField(label="Accepted on", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"] = forms.ChoiceField(choices=[(s.value, s.label) for s in statuses])

    @classmethod
    def for_document(cls, document, statuses) -> "StatusForm":
        """The form as a document stands, accepted today unless it says otherwise."""
        initial = {
            "status": document.status,
            "accepted_by": document.accepted_by,
            "accepted_date": document.accepted_date or timezone.localdate(),
        }
        return cls(statuses=statuses, initial=initial)

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean returns; the stubs allow None
        if data.get("status") != TxnStatus.ACCEPTED and (data.get("accepted_by") or data.get("accepted_date")):
            data["accepted_by"], data["accepted_date"] = "", None  # acceptance only means something when accepted
        return data
