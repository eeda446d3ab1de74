"""Rows pulled before the project they name (a change pull's pages come in QuickBooks' order, not ours) get their
project when it arrives, and never another company's project of the same QuickBooks id."""

import pytest

from projects.estimates.sync import ingest_estimates
from projects.ledger.normalise import TXN_TYPES
from projects.ledger.sync import ingest_ledger
from projects.models import Estimate, LedgerLine, Project
from projects.project.sync import ingest_project_customers

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def test_estimates_and_ledger_lines_pulled_before_their_project_are_linked_when_it_arrives(
    company, other_company, docs
):
    estimates = [d for d in docs["Estimate"] if d.get("ProjectRef")]
    assert estimates
    for each in (company, other_company):
        ingest_estimates(each, estimates)
        for txn_type in TXN_TYPES:
            ingest_ledger(txn_type, each, docs[txn_type])
    waiting_estimates = Estimate.objects.filter(company=company, project__isnull=True).exclude(project_qbo_id="")
    waiting_lines = LedgerLine.objects.filter(company=company, project__isnull=True).exclude(project_qbo_id="")
    assert waiting_estimates.count() == len(estimates) and waiting_lines.exists()  # they did wait

    ingest_project_customers(company, docs["Customer"])

    assert not waiting_estimates.exists() and not waiting_lines.exists()
    projects = dict(Project.objects.filter(company=company).values_list("pk", "qbo_id"))
    named = [Estimate.objects.filter(company=company), LedgerLine.objects.filter(company=company)]
    for row in [row for rows in named for row in rows.exclude(project_qbo_id="")]:
        assert projects[row.project_id] == row.project_qbo_id
    # The other company has no projects yet: its rows still wait, untouched by this company's.
    assert not Estimate.objects.filter(company=other_company, project__isnull=False).exists()
    assert not LedgerLine.objects.filter(company=other_company, project__isnull=False).exists()
