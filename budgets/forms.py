"""The budget form: its name and dates, and its lines on the shared line table (projects/documents/forms.py): each line
an item or an account, with class, location, quantity x unit cost (or an amount) and a date."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from projects.documents.forms import (
    MAX_DESCRIPTION,
    BaseLineFormSet,
    ReferenceForm,
    ReferenceSelect,
    decimal_field,
    item_price,
    label,
    text_field,
)
from projects.documents.lines import amount_problem
from quickbooks.models.fields import MONEY_MAX, QUANTITY_MAX

from .models import BudgetLine
from .services import MAX_BUDGET_LINES, line_amount

MAX_NAME = 500


class BudgetForm(forms.Form):
    version = forms.CharField(required=False, widget=forms.HiddenInput)  # the budget's version the form was loaded at
    name = text_field("Budget name", MAX_NAME)
    start_date = forms.DateField(label="Starts", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="Ends", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean returns; the stubs allow None
        if not (data.get("name") or "").strip():
            self.add_error("name", "Give the budget a name: QuickBooks requires one.")
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The budget ends before it starts.")
        return data


class BudgetLineForm(ReferenceForm):
    """One budget line: what it budgets (an item, or an account), where (class, location), how much."""

    records = {"item": "items", "account": "accounts", "class_qbo_id": "classes", "location_qbo_id": "locations"}
    keep_as = {"item": "item", "account": "account", "class_qbo_id": "class", "location_qbo_id": "location"}

    line_id = forms.CharField(required=False, widget=forms.HiddenInput)
    line_type = forms.ChoiceField(label="Type", choices=BudgetLine.Type.choices, initial=BudgetLine.Type.ITEM)
    item = ReferenceSelect(label="Item", what="item")
    account = ReferenceSelect(label="Account", what="account")
    description = text_field("Description", MAX_DESCRIPTION)
    class_qbo_id = ReferenceSelect(label="Class", what="class")
    location_qbo_id = ReferenceSelect(label="Location", what="location")
    qty = decimal_field("Quantity", "4 or 2.5", high=QUANTITY_MAX)
    unit_cost = decimal_field("Unit cost", "180 or 9.75", high=MONEY_MAX)
    amount = decimal_field("Amount", "1200 or 99.50", high=MONEY_MAX)
    date = forms.DateField(label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        item = self.references.items.get(data.get("item") or "")
        if data.get("line_type") == BudgetLine.Type.ACCOUNT:
            if not data.get("account"):
                self.add_error("account", "Choose the account this line budgets, or make it an item line.")
        elif item is None:
            self.add_error("item", "Choose the item this line budgets, or make it an account line.")
        if item is not None and data.get("unit_cost") is None and data.get("qty") is not None:
            data["unit_cost"] = item_price(item, "PurchaseCost")  # as the script does: an empty cost is the item's
        qty, cost, amount = data.get("qty"), data.get("unit_cost"), data.get("amount")
        if qty is not None and cost is not None:
            computed = line_amount({"quantity": qty, "unit_cost": cost})
            if amount is not None and amount != computed:
                self.add_error(
                    "amount", f"Quantity × unit cost is {computed:,}: leave the amount blank, or correct one of them."
                )
            elif problem := amount_problem("This line", computed):
                self.add_error("qty", problem)
        elif amount is None:
            where = "qty" if qty is None else "unit_cost"
            self.add_error(where, "Enter a quantity and a unit cost, or just an amount.")
        elif qty is not None or cost is not None:
            self.add_error("unit_cost" if cost is None else "qty", "Enter both quantity and unit cost, or neither.")
        return data

    def line(self) -> dict:
        data = self.cleaned_data
        account_line = data["line_type"] == BudgetLine.Type.ACCOUNT
        return {
            "line_id": data["line_id"],
            "line_type": data["line_type"],
            "item_qbo_id": "" if account_line else data["item"],  # the type decides what the line budgets
            "account_qbo_id": data["account"],
            "class_qbo_id": data["class_qbo_id"],
            "location_qbo_id": data["location_qbo_id"],
            "quantity": data["qty"],
            "unit_cost": data["unit_cost"],
            "amount": data["amount"],
            "description": data["description"],
            "date": data["date"],
        }

    def what(self) -> str:
        data = self.cleaned_data
        records = self.references.accounts if data["line_type"] == BudgetLine.Type.ACCOUNT else self.references.items
        record = records.get(data["account"] if data["line_type"] == BudgetLine.Type.ACCOUNT else data["item"])
        return label(record) if record else ""


class BudgetLineFormSet(BaseLineFormSet):
    noun, a_noun = "budget", "A budget"

    def clean(self):
        if any(self.errors) or not self.management_form.is_valid():  # Django has said what is wrong
            return
        lines = self.lines()
        if not lines:
            raise ValidationError("Add at least one line: an item or account with its quantity and unit cost.")
        if problem := amount_problem("The budget", sum((line_amount(line) for line in lines), Decimal(0))):
            raise ValidationError(problem)


LineFormSet = forms.formset_factory(
    BudgetLineForm,
    formset=BudgetLineFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_BUDGET_LINES,
    validate_max=True,
    absolute_max=MAX_BUDGET_LINES + 1,
)
