"""Creating, editing and deleting projects from Costline (Projects API plans only).

Accountants and admins do it. Each write saves the local Project and queues it for QuickBooks
in one transaction; the push (projects/project/push.py) sends it after commit and takes QuickBooks' answer back.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from quickbooks.models import Connection, Membership, OutboxItem, ReferenceRecord, Role
from quickbooks.sync.push import outbox_enqueue

from ..models import Project

EDITABLE_FIELDS = [
    "name",
    "description",
    "status",
    "priority",
    "customer_qbo_id",
    "customer_name",
    "start_date",
    "due_date",
    "completion_rate",
    "pinned",
    "email_addresses",
]
NAME_OWNERS = ("Customer", "Vendor", "Employee")  # QuickBooks keeps one DisplayName across these and projects
MAX_NAME = 500  # Customer.DisplayName (docs/quickbooks-api.md, Limits): a project is a customer there
# Intuit publishes no length for a project's description; it is held to the customer Notes limit, the nearest one
# documented, so QuickBooks never cuts it short.
MAX_DESCRIPTION = 2000
PLAN_MESSAGE = (
    "This company's QuickBooks plan (or Costline's grant) does not include the Projects API: projects "
    "are created and changed in QuickBooks, and appear here after the next sync."
)


def projects_api_available(company) -> bool:
    """Connected, and the plan and the grant include the Projects API (read when the company connected)."""
    if not company.is_connected:
        return False
    connection = Connection.objects.filter(company=company).only("capabilities").first()
    return connection is not None and connection.can("projects_api")


def can_manage(membership: Membership) -> bool:
    return membership.can(Role.ACCOUNTANT)


def customer_records(company):
    """The customers a project can be for: active, and not themselves projects (sub-customers are fine)."""
    records = ReferenceRecord.objects.customers().filter(company=company).active().filter(is_project=False)
    return records.order_by("fully_qualified_name", "name", "qbo_id")


def customer_label(record: ReferenceRecord) -> str:
    return record.fully_qualified_name or record.name or record.qbo_id


def customer_problem(company, qbo_id: str) -> str | None:
    """Why this customer cannot have a project, or None."""
    if not qbo_id:
        return "Choose the customer this project is for."
    record = ReferenceRecord.objects.customers().filter(company=company, qbo_id=qbo_id).first()
    if record is None:
        return f"Choose a customer from the list (QuickBooks has no customer with id {qbo_id})."
    if record.is_project:
        return f"{customer_label(record)} is itself a project: choose the customer the project is for."
    if not record.active:
        return (
            f"{customer_label(record)} is inactive in QuickBooks: choose another customer, or make it active "
            "in QuickBooks and sync again."
        )
    return None


def name_problem(company, name: str, project: Project | None = None) -> str | None:
    """QuickBooks refuses an empty name, a colon (it builds "Customer:Project" with one), more than 500 characters,
    and a name another customer, vendor, employee or project already has (any case)."""
    name = (name or "").strip()
    if not name:
        return "Give the project a name."
    if ":" in name:
        return "QuickBooks does not allow a colon in a project name."
    if len(name) > MAX_NAME:
        return f"QuickBooks allows at most {MAX_NAME} characters in a project name."
    projects = Project.objects.filter(company=company, name__iexact=name)
    records = ReferenceRecord.objects.filter(company=company, entity__in=NAME_OWNERS, name__iexact=name)
    if project is not None and project.pk:
        projects = projects.exclude(pk=project.pk)
        if project.qbo_id:
            records = records.exclude(entity="Customer", qbo_id=project.qbo_id)
    if projects.exists() or records.exists():
        return (
            f"Another project, customer, vendor or employee in QuickBooks is already named \u201c{name}\u201d: "
            "choose another name."
        )
    return None


def project_problems(project: Project) -> dict[str, str]:
    """Every reason QuickBooks would refuse this project, by form field ('__all__' for the whole)."""
    problems = {}
    company = project.company
    if (message := name_problem(company, project.name, project)) is not None:
        problems["name"] = message
    if (message := customer_problem(company, project.customer_qbo_id)) is not None:
        problems["customer"] = message
    if project.priority is not None and not 0 <= project.priority <= 9:
        problems["priority"] = "Priority is a whole number from 0 (none) to 9."
    if project.completion_rate is not None and not 0 <= project.completion_rate <= 100:
        problems["completion_rate"] = "Completion is a percentage from 0 to 100."
    if project.start_date and project.due_date and project.due_date < project.start_date:
        problems["due_date"] = (
            f"The due date ({project.due_date:%Y-%m-%d}) is before the start date ({project.start_date:%Y-%m-%d})."
        )
    return problems


def _allowed(project: Project, by: Membership) -> None:
    if by.company_id != project.company_id or not can_manage(by):
        raise PermissionDenied("Only accountants and admins create, change or delete projects.")
    if not projects_api_available(project.company):
        raise PermissionDenied(PLAN_MESSAGE)


def project_save(*, project: Project, by: Membership) -> OutboxItem:
    """Save a new or edited project and queue it for QuickBooks, in one transaction. Raises ValidationError
    (nothing saved, nothing queued) when QuickBooks would refuse it."""
    _allowed(project, by)
    if project.deleted:
        raise ValidationError("This project is deleted in QuickBooks; it can no longer be changed.")
    problems = project_problems(project)
    if problems:
        raise ValidationError(problems)
    record = ReferenceRecord.objects.customers().get(company=project.company, qbo_id=project.customer_qbo_id)
    project.name, project.customer_name = project.name.strip(), customer_label(record)
    with transaction.atomic():
        if project.pk:  # only what the form owns: a worker may be writing QuickBooks' fields meanwhile
            project.save(update_fields=EDITABLE_FIELDS)
        else:
            project.save()
        return outbox_enqueue(obj=project)


def project_delete(*, project: Project, by: Membership) -> OutboxItem:
    """Delete as QuickBooks does (a soft delete): the project leaves the dashboard at once and is deleted in
    QuickBooks by the push; its page, estimates and ledger stay, marked deleted."""
    _allowed(project, by)
    if project.deleted:
        raise ValidationError("This project is already deleted.")
    with transaction.atomic():
        project.deleted = True
        project.save(update_fields=["deleted"])
        return outbox_enqueue(obj=project)
