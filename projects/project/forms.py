"""The project form: the fields the Projects API lets Costline write, checked as QuickBooks would check them.

Numbers are typed as text and parsed here, so a mistyped one comes back with a message instead of being dropped;
the rules that need the database (name taken, customer) are `services.project_problems`, shared with the
save itself.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ..models import Project
from .services import MAX_DESCRIPTION, MAX_NAME, customer_label, customer_records, project_problems

DATE_ERROR = "Enter a date as YYYY-MM-DD, for example 2026-03-31."
MAX_EMAILS = 20
RATE_ERROR = "Completion is a percentage from 0 to 100."  # no "%": Django formats these with params


def _date(label: str) -> forms.DateField:
    # ISO only: 01/05/2026 is the 5th of January to some and the 1st of May to others
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_ERROR},
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ProjectForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=MAX_NAME,
        error_messages={
            "required": "Give the project a name.",
            "max_length": f"QuickBooks allows at most {MAX_NAME} characters in a project name.",
        },
    )
    customer = forms.CharField(
        label="Customer", widget=forms.Select, error_messages={"required": "Choose the customer this project is for."}
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"QuickBooks takes at most {MAX_DESCRIPTION:,} characters here."},
    )
    status = forms.ChoiceField(label="Status", choices=Project.Status.choices, initial=Project.Status.OPEN)
    priority = forms.IntegerField(
        label="Priority (0-9)",
        required=False,
        min_value=0,
        max_value=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "num", "autocomplete": "off"}),
        error_messages={
            "invalid": "Priority is a whole number from 0 (none) to 9.",
            "min_value": "Priority is a whole number from 0 (none) to 9.",
            "max_value": "Priority is a whole number from 0 (none) to 9.",
        },
    )
    start_date = _date("Start date")
    due_date = _date("Due date")
    completion_rate = forms.DecimalField(
        label="% complete",
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num", "autocomplete": "off"}),
        error_messages={
            "invalid": RATE_ERROR + " For example 40 or 62.5.",
            "min_value": RATE_ERROR,
            "max_value": RATE_ERROR,
            "max_digits": RATE_ERROR,
            "max_whole_digits": RATE_ERROR,
            "max_decimal_places": "Completion takes at most two decimal places.",
        },
    )
    pinned = forms.BooleanField(label="Pinned", required=False)
    email_addresses = forms.CharField(
        label="Email addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or more, separated by commas or new lines.",
    )

    def __init__(self, *args, project: Project, **kwargs):
        self.project = project
        if not args and "initial" not in kwargs and project.pk:
            kwargs["initial"] = initial_for(project)
        super().__init__(*args, **kwargs)
        choices = [(r.qbo_id, customer_label(r)) for r in customer_records(project.company)]
        if project.customer_qbo_id and project.customer_qbo_id not in {qbo_id for qbo_id, _ in choices}:
            # the project's own customer stays shown (inactive now?); saving says what is wrong with it
            choices.append((project.customer_qbo_id, project.customer_name or project.customer_qbo_id))
        self.fields["customer"].widget.choices = [("", "Choose a customer"), *choices]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_email_addresses(self) -> list[dict]:
        text = self.cleaned_data["email_addresses"]
        addresses = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
        wrong = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                wrong.append(address)
        if wrong:
            raise ValidationError(f"Not an email address: {', '.join(wrong)}.")
        if len(addresses) > MAX_EMAILS:
            raise ValidationError(f"At most {MAX_EMAILS} email addresses.")
        return [{"email": address} for address in dict.fromkeys(addresses)]

    def clean(self):
        cleaned = super().clean()
        if self.errors.keys() & {"name", "customer"}:
            return cleaned
        candidate = self.apply(Project(company=self.project.company, pk=self.project.pk, qbo_id=self.project.qbo_id))
        for field, message in project_problems(candidate).items():
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, message)
        return cleaned

    def apply(self, project: Project) -> Project:
        """Set the form's (cleaned) values on `project`; returns it."""
        data = self.cleaned_data
        project.name = data.get("name", "")
        project.customer_qbo_id = data.get("customer", "")
        project.description = data.get("description", "")
        project.status = data.get("status") or Project.Status.OTHER
        project.priority = data.get("priority")
        project.start_date, project.due_date = data.get("start_date"), data.get("due_date")
        project.completion_rate = data.get("completion_rate")
        project.pinned = bool(data.get("pinned"))
        project.email_addresses = data.get("email_addresses") or []
        return project


def initial_for(project: Project) -> dict:
    return {
        "name": project.name,
        "customer": project.customer_qbo_id,
        "description": project.description,
        "status": project.status,
        "priority": project.priority,
        "start_date": project.start_date,
        "due_date": project.due_date,
        "completion_rate": project.completion_rate,
        "pinned": project.pinned,
        "email_addresses": ", ".join(a.get("email", "") for a in project.email_addresses or [] if a.get("email")),
    }
