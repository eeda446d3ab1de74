"""Where an estimate is pushed: the document Costline sends, QuickBooks' answer taken back, the check before.

The outbox (quickbooks/sync/push.py) does the sending, retries, merges and conflicts; this is what is estimate-
specific about it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from quickbooks.sync.registry import PushedEntity, register_push
from quickbooks.sync.upsert import replace_lines

from ..models import Estimate, EstimateLine, Project
from ..project.sync import project_index
from ..sales import sales_document, sales_document_values, sales_line_values


def estimate_to_document(estimate: Estimate) -> dict:
    """Send as a sparse update (or a create): fields Costline does not keep stay as QuickBooks has them."""
    return sales_document(estimate, estimate.lines.order_by("line_num", "id"))


@transaction.atomic
def apply_estimate_document(estimate: Estimate, document: dict) -> Estimate:
    """QuickBooks' answer to a push becomes the local copy: ids, token, totals and lines; nothing left waiting."""
    values = sales_document_values(document, project_index(estimate.company))
    for name, value in values.items():
        setattr(estimate, name, value)
    estimate.qbo_id = str(document["Id"])
    estimate.save()
    replace_lines(EstimateLine, "estimate", [estimate], sales_line_values)
    return estimate


def check_project_ref(obj) -> None:
    """A ProjectRef must name a real project, or QuickBooks answers "Invalid ProjectRef" (docs/architecture.md,
    "Domain rules")."""
    if not obj.customer_qbo_id:
        raise ValidationError("Choose the customer this is for.")
    if not obj.project_qbo_id:
        return
    project = Project.objects.filter(company_id=obj.company_id, qbo_id=obj.project_qbo_id).first()
    if project is None or project.deleted:
        raise ValidationError(
            f"QuickBooks has no project with id {obj.project_qbo_id}. Charge it to the customer instead (leave the "
            "project empty), or make the customer a project in QuickBooks and sync again."
        )


def register() -> None:
    register_push(
        PushedEntity("Estimate", Estimate, estimate_to_document, apply_estimate_document, check=check_project_ref)
    )
