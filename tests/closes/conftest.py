"""The project page's kitchen remodel (a project, its signed contract and a ledger), for the closes' tests too."""

from datetime import date

import pytest

from projects.models import Project
from tests.projects.test_project_page import budget, contract, kitchen, ledger, line  # noqa: F401 - fixtures


@pytest.fixture
def books(company, kitchen, contract, ledger):  # noqa: F811 - the imported fixtures
    """The kitchen remodel with a budget of 20,000.00 and a second project, Attic, with one bill."""
    budget(company, "20000.00")
    attic = Project.objects.create(company=company, qbo_id="17", name="Attic", customer_name="Ames", status="OPEN")
    line(company, "700.00", project_qbo_id="17", txn_date=date(2026, 1, 3))
    return attic
