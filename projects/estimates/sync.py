"""How project estimates follow QuickBooks: pulled estimates and their lines, and QuickBooks' deletions.

Rows that name an estimate before it arrives (change orders) are linked to it once it does (`link_estimates_to`).
"""

from django.db import transaction

from quickbooks.sync.registry import PulledEntity, register_pull
from quickbooks.sync.upsert import Incoming, known_ids, link_waiting_rows, replace_lines, split_deleted, upsert

from ..models import Estimate, EstimateLine
from ..project.sync import project_index
from ..sales import SALES_DOCUMENT_FIELDS, sales_document_values, sales_line_values

PULL_ORDER = 200
ESTIMATE_LINKED: list = []  # models naming their parent estimate (change orders)


def link_estimates_to(model) -> None:
    """Let `model` (company, estimate_qbo_id, estimate FK) have its estimate filled in when the estimate is pulled."""
    if model not in ESTIMATE_LINKED:
        ESTIMATE_LINKED.append(model)


@transaction.atomic
def ingest_estimates(company, documents: list[dict]) -> int:
    documents, gone = split_deleted(documents)
    projects = project_index(company)
    incoming = [Incoming(str(d["Id"]), sales_document_values(d, projects)) for d in documents]
    written = upsert(Estimate, company, incoming, SALES_DOCUMENT_FIELDS)
    replace_lines(EstimateLine, "estimate", written.rows, sales_line_values)
    link_waiting_rows(ESTIMATE_LINKED, Estimate, "estimate", company, [item.qbo_id for item in incoming])
    return written.count + (remove_estimates(company, gone) if gone else 0)


@transaction.atomic
def remove_estimates(company, qbo_ids: list[str]) -> int:
    """Deleted in QuickBooks: the local copies go too (their lines with them; change orders keep the estimate id)."""
    deleted, _ = Estimate.objects.filter(company=company, qbo_id__in=list(qbo_ids)).delete()
    return deleted


def register() -> None:
    register_pull(
        PulledEntity("Estimate", ingest_estimates, remove_estimates, order=PULL_ORDER, known_ids=known_ids(Estimate))
    )
