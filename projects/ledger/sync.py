"""How the project ledger follows QuickBooks: each transaction type's pages normalised into ledger lines.

A transaction's lines are replaced whole whenever it is pulled again, so ingesting is idempotent.
"""

from decimal import Decimal

from django.db import transaction

from quickbooks.models import ReferenceRecord
from quickbooks.sync.bulk import hold_until_commit, insert_rows
from quickbooks.sync.documents import number
from quickbooks.sync.registry import PulledEntity, memoised, register_pull
from quickbooks.sync.upsert import split_deleted

from ..models import LedgerLine, Project
from ..project.sync import project_index
from . import normalise

PULL_ORDER = 200


def tagging(company, txn_type: str = "") -> normalise.Tagging:
    """What a page of `txn_type` is tagged and costed with; people's cost rates and the accounts' types are read
    only for the pages that use them (time, journal entries), not for each of a first pull's hundred pages."""
    rows = Project.objects.filter(company=company).exclude(qbo_id="").values_list("qbo_id", "customer_qbo_id")
    found = normalise.Tagging(
        cost_rates=cost_rates(company) if txn_type == "TimeActivity" else {},
        account_types=account_types(company) if txn_type == "JournalEntry" else {},
    )
    for qbo_id, parent in rows:
        found.projects.add(qbo_id)
        if parent:
            found.parents.add(parent)
    return found


def account_types(company) -> dict[str, str]:
    """Each account's AccountType: a journal line to a cost account is cost to date."""
    accounts = ReferenceRecord.objects.filter(company=company, entity="Account")
    return {
        qbo_id: (document or {}).get("AccountType") or ""
        for qbo_id, document in accounts.values_list("qbo_id", "qbo_document").iterator()
    }


def cost_rates(company) -> dict[tuple[str, str], Decimal]:
    """Each employee's and vendor's CostRate as QuickBooks last sent it: what time without its own rate costs."""
    people = ReferenceRecord.objects.filter(company=company, entity__in=["Employee", "Vendor"])
    rates = {}
    for entity, qbo_id, document in people.values_list("entity", "qbo_id", "qbo_document").iterator():
        rate = number((document or {}).get("CostRate"))
        if rate is not None:
            rates[entity, qbo_id] = rate
    return rates


def ingest_ledger(txn_type: str, company, documents: list[dict]) -> int:
    """A page of one transaction type: its transactions' ledger lines are replaced by the new ones (idempotent)."""
    documents, gone = split_deleted(documents)
    found = memoised(("ledger_tagging", company.pk, txn_type), lambda: tagging(company, txn_type))
    projects = project_index(company)
    rows = []
    for document in documents:
        for values in normalise.normalise(txn_type, document, found):  # each a new dict: completed in place
            values["company_id"], values["project_id"] = company.pk, projects.get(values["project_qbo_id"])
            rows.append(values)
    with transaction.atomic():
        # A retag's reply and a pull may write the same transaction's lines at once (only pulls hold the pull lock).
        hold_until_commit(f"ledger:{company.pk}:{txn_type}")
        ids = [str(d["Id"]) for d in documents] + gone
        LedgerLine.objects.filter(company=company, txn_type=txn_type, txn_qbo_id__any=ids).delete()
        insert_rows(LedgerLine, rows)  # nothing reads the new rows' pks; model instances cost most of the time
    return len(rows)


def remove_ledger(txn_type: str, company, qbo_ids: list[str]) -> int:
    lines = LedgerLine.objects.filter(company=company, txn_type=txn_type, txn_qbo_id__in=list(qbo_ids))
    with transaction.atomic():
        deleted, _ = lines.delete()
    return deleted


def known_ledger_ids(txn_type: str, company) -> set[str]:
    """Transactions of this type with ledger lines: a whole pull that no longer sees one removes its lines."""
    lines = LedgerLine.objects.filter(company=company, txn_type=txn_type)
    return set(lines.values_list("txn_qbo_id", flat=True).distinct())


def _ledger_entity(txn_type: str) -> PulledEntity:
    return PulledEntity(
        name=txn_type,
        ingest=lambda company, documents: ingest_ledger(txn_type, company, documents),
        remove=lambda company, qbo_ids: remove_ledger(txn_type, company, qbo_ids),
        order=PULL_ORDER,
        cdc=txn_type != "TimeActivity",  # Intuit's CDC does not serve TimeActivity
        known_ids=lambda company: known_ledger_ids(txn_type, company),
    )


def register() -> None:
    for txn_type in normalise.TXN_TYPES:
        register_pull(_ledger_entity(txn_type))
