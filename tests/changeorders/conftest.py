"""An accepted project estimate in a live sandbox realm (QuickBooks Online Advanced), pulled into Costline: what a
change order changes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Estimate, Project
from quickbooks.sync import pull
from tests.live_quickbooks import rid
from tests.projects.test_estimate_form import form_data


def accept_estimate_in_quickbooks(qb, setup) -> dict:
    """Estimate 1,000.00 (cost 720.00) on the project, accepted in QuickBooks by another QuickBooks user."""
    return qb.create(
        "Estimate",
        {
            "CustomerRef": {"value": setup["customer"]},
            "ProjectRef": {"value": setup["project"]},
            "TxnStatus": "Accepted",
            "AcceptedBy": "Dana Reyes",
            "AcceptedDate": "2026-04-01",
            "Line": [
                {
                    "Amount": Decimal("1000.00"),
                    "CostAmount": Decimal("720.00"),
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": setup["item"]},
                        "Qty": 4,
                        "UnitPrice": Decimal("250"),
                        "UnitCostPrice": Decimal("180"),
                        "TaxCodeRef": {"value": "NON"},
                    },
                }
            ],
        },
        request_id=rid(),
    )


@pytest.fixture
def accepted_estimate(connected_company, project_setup, scaffolding) -> Estimate:
    with scaffolding(connected_company) as qb:  # at full speed (tests/live_quickbooks.py `at_full_speed`)
        accept_estimate_in_quickbooks(qb, project_setup)
        pull.pull_changes(company=connected_company, client=qb)
    return Estimate.objects.get(company=connected_company, project_qbo_id=project_setup["project"])


@pytest.fixture
def project(connected_company, project_setup) -> Project:
    return Project.objects.get(company=connected_company, qbo_id=project_setup["project"])


def change_order_data(estimate, lines, action="send", **header) -> dict:
    return form_data(lines, action=action, estimate=str(estimate.pk), **header)


def extra_cabinet(item_id, qty="2", price="300", cost="200"):
    return {"item": item_id, "description": "Pantry cabinets", "qty": qty, "unit_price": price, "unit_cost": cost}


def new_url(company, project):
    return reverse("changeorders:new", args=[company.pk, project.pk])
