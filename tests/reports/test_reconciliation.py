"""Reconciliation: every figure of every project, computed here from QuickBooks' own answers (the sandbox's REST
queries and GraphQL budgets, read over HTTP), equals Costline's dashboard, its CSV export and the project page, to
the cent.

The rules are docs/figures.md's, written again here from the documents, apart from reports.figures and the ledger:
a mistake in either shows as a difference. Two companies: the demo (sales tax, change orders, a budget, vendor
credits, a mis-coded bill) and one built here for the edge cases (credit memos, refunds, discounts, line-level
ProjectRef, a card credit, time without its own cost rate, time with none anywhere, journal lines to cost and
non-cost accounts, deleted and pending documents).
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from budgets.sync import adopt_budget
from projects.models import Project
from quickbooks.sync import pull
from sandbox.demo import BUDGET_ID_BASE, DEMO_REALM_ID
from tests.live_quickbooks import connect_through_consent, create_project, rid

pytestmark = pytest.mark.django_db(transaction=True)

CENT, TENTH, ZERO = Decimal("0.01"), Decimal("0.1"), Decimal("0.00")
SIGNED = {"Accepted", "Closed", "Converted"}
COST_ACCOUNTS = {"Cost of Goods Sold", "Expense", "Other Expense"}
EXPENSE_DETAILS = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")
SALES = {"Invoice": 1, "SalesReceipt": 1, "CreditMemo": -1, "RefundReceipt": -1}
COSTS = {"Bill": 1, "Purchase": 1, "VendorCredit": -1}
ENTITIES = [*SALES, *COSTS, "Estimate", "ChangeOrder", "TimeActivity", "JournalEntry", "Employee", "Vendor", "Account"]
BUDGET_TOTAL = """
query($budgetId: ID!) { businessPlanningBudget(budgetId: $budgetId) { budgetId linkedEntityId total state } }
"""


def ref(value) -> str:
    return str((value or {}).get("value") or "")


def money(value) -> Decimal:
    return Decimal(str(value or 0))


@dataclass
class Expected:
    contract: Decimal = ZERO
    cost: Decimal = ZERO
    billed: Decimal = ZERO
    budget: Decimal | None = None
    change_order_cost: Decimal = ZERO

    @property
    def estimated_cost(self) -> Decimal | None:
        return None if self.budget is None else self.budget + self.change_order_cost

    @property
    def ratio(self) -> Decimal | None:
        eac = self.estimated_cost
        return None if not eac or eac < 0 or self.cost > eac else self.cost / eac

    @property
    def earned(self) -> Decimal | None:
        return None if self.ratio is None else (self.ratio * self.contract).quantize(CENT, rounding=ROUND_HALF_UP)

    def csv_percent(self) -> str:
        if self.ratio is not None:
            return f"{(self.ratio * 100).quantize(TENTH, rounding=ROUND_HALF_UP)}%"
        over = self.estimated_cost is not None and self.cost > self.estimated_cost
        return "over budget: forecast needed" if over else ""


@dataclass
class Books:
    """QuickBooks' data as its APIs answer, and every project's figures computed from it."""

    qb: object
    budget_ids: list[str]
    docs: dict = field(default_factory=dict)
    projects: set = field(default_factory=set)

    def figures(self) -> dict[str, Expected]:
        self.docs = {name: [d for page in self.qb.query_pages(name) for d in page] for name in ENTITIES}
        customers = [d for page in self.qb.query_pages("Customer", "Active IN (true, false)") for d in page]
        self.projects = {c["Id"] for c in customers if c.get("IsProject")}
        found: dict[str, Expected] = defaultdict(Expected)
        self._contract(found)
        self._billed(found)
        self._costs(found)
        self._time(found)
        self._journals(found)
        for budget_id in self.budget_ids:
            budget = self.qb.graphql(BUDGET_TOTAL, {"budgetId": budget_id})["businessPlanningBudget"]
            project = found[str(budget["linkedEntityId"])]
            project.budget = (project.budget or ZERO) + money(budget["total"])
        return found

    def _tie(self, project_ref, customer_ref) -> str | None:
        """The project a line belongs to: its ProjectRef, else a CustomerRef naming a project's own record."""
        project, customer = ref(project_ref), ref(customer_ref)
        return project or (customer if customer in self.projects else None)

    def _contract(self, found) -> None:
        for name in ("Estimate", "ChangeOrder"):
            for d in self.docs[name]:
                project = ref(d.get("ProjectRef"))
                if project and d.get("TxnStatus") in SIGNED:
                    found[project].contract += money(d["TotalAmt"]) - money(
                        (d.get("TxnTaxDetail") or {}).get("TotalTax")
                    )
                    if name == "ChangeOrder":
                        found[project].change_order_cost += money(d.get("TotalCostAmount"))

    def _billed(self, found) -> None:
        def lines(items):
            for line in items:
                if line.get("DetailType") == "GroupLineDetail":
                    yield from lines((line.get("GroupLineDetail") or {}).get("Line", []))
                elif line.get("DetailType") in ("SalesItemLineDetail", "DiscountLineDetail"):
                    yield line

        for name, sign in SALES.items():
            for d in self.docs[name]:
                for line in lines(d.get("Line", [])):
                    project = self._tie(line.get("ProjectRef") or d.get("ProjectRef"), d.get("CustomerRef"))
                    if project:
                        discount = -1 if line["DetailType"] == "DiscountLineDetail" else 1
                        found[project].billed += sign * discount * money(line["Amount"])

    def _costs(self, found) -> None:
        for name, sign in COSTS.items():
            for d in self.docs[name]:
                credit = -1 if d.get("Credit") is True else 1
                for line in d.get("Line", []):
                    if line.get("DetailType") not in EXPENSE_DETAILS:
                        continue
                    detail = line[line["DetailType"]]
                    project = self._tie(line.get("ProjectRef") or d.get("ProjectRef"), detail.get("CustomerRef"))
                    if project:
                        found[project].cost += sign * credit * money(line["Amount"])

    def _time(self, found) -> None:
        rates = {(p, d["Id"]): d.get("CostRate") for p in ("Employee", "Vendor") for d in self.docs[p]}
        for d in self.docs["TimeActivity"]:
            project = self._tie(d.get("ProjectRef"), d.get("CustomerRef"))
            if not project:
                continue
            person = "Vendor" if d.get("NameOf") == "Vendor" else "Employee"
            rate = d.get("CostRate", rates.get((person, ref(d.get(f"{person}Ref")))))
            if rate is None:
                continue  # no rate anywhere: 0.00, and the Health page lists it
            if d.get("StartTime") and d.get("EndTime"):
                start, end = (datetime.fromisoformat(d[k]).replace(tzinfo=None) for k in ("StartTime", "EndTime"))
                worked = Decimal(int((end - start).total_seconds())) / 3600
                worked -= money(d.get("BreakHours")) + money(d.get("BreakMinutes")) / 60
            else:
                worked = money(d.get("Hours")) + money(d.get("Minutes")) / 60
            worked = worked.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            found[project].cost += (worked * money(rate)).quantize(CENT, rounding=ROUND_HALF_UP)

    def _journals(self, found) -> None:
        types = {d["Id"]: d.get("AccountType") for d in self.docs["Account"]}
        for d in self.docs["JournalEntry"]:
            for line in d.get("Line", []):
                detail = line.get("JournalEntryLineDetail") or {}
                if types.get(ref(detail.get("AccountRef"))) not in COST_ACCOUNTS:
                    continue
                entity = detail.get("Entity") or {}
                customer = entity.get("EntityRef") if entity.get("Type") == "Customer" else None
                project = self._tie(line.get("ProjectRef") or detail.get("ProjectRef"), customer)
                if project:
                    found[project].cost += (-1 if detail.get("PostingType") == "Credit" else 1) * money(line["Amount"])


def reconcile(client, company, expected: dict[str, Expected]) -> int:
    """Costline's CSV, dashboard, project pages and WIP schedule against `expected`, project by project; how many
    compared. The WIP is taken as of a date past every document, so it holds the same books as the dashboard."""
    response = client.get(reverse("reports:dashboard-csv", args=[company.pk]))
    wip = client.get(reverse("reports:wip", args=[company.pk]), {"as_of": "2999-12-31"}).context
    wip_rows = {row.project_id: row for row in wip["schedule"].rows}
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_name = {row["Project"]: row for row in rows[:-1]}
    dashboard = {p.name: p for p in client.get(reverse("reports:dashboard", args=[company.pk])).context["projects"]}
    compared = 0
    for project in Project.objects.filter(company=company, deleted=False).exclude(qbo_id=""):
        want, name = expected.get(project.qbo_id, Expected()), project.name
        row = by_name[name]
        assert (Decimal(row["Contract value"]), Decimal(row["Cost to date"]), Decimal(row["Billed to date"])) == (
            want.contract,
            want.cost,
            want.billed,
        ), name
        assert Decimal(row["Billed margin"]) == want.billed - want.cost, name
        assert row["% complete"] == want.csv_percent(), name
        if name in dashboard:  # the first page of the dashboard
            assert dashboard[name].contract_value == want.contract and dashboard[name].cost_to_date == want.cost
        page = client.get(reverse("reports:project-detail", args=[company.pk, project.pk])).context
        progress = page["progress"]
        assert (page["contract"].value, page["actuals"].cost, page["actuals"].revenue) == (
            want.contract,
            want.cost,
            want.billed,
        ), name
        assert progress.estimated_cost == want.estimated_cost, name
        assert progress.earned == want.earned, name
        assert progress.over_under == (None if want.earned is None else want.billed - want.earned), name
        assert progress.gross_profit == (None if want.earned is None else want.earned - want.cost), name
        line = wip_rows[project.pk]
        figures = (line.revised_contract, line.cost_to_date, line.billed_to_date)
        assert figures == (want.contract, want.cost, want.billed), name
        assert (line.estimated_cost, line.earned) == (want.estimated_cost, want.earned), name
        if want.earned is not None:
            assert line.over_billing - line.under_billing == want.billed - want.earned, name
        compared += 1
    totals = client.get(reverse("reports:dashboard", args=[company.pk])).context["totals"]
    assert (wip["totals"]["revised_contract"], wip["totals"]["cost_to_date"], wip["totals"]["billed_to_date"]) == (
        totals["contract_value"],
        totals["cost_to_date"],
        totals["billed_to_date"],
    )
    url = reverse("reports:summary", args=[company.pk, "job-profitability"])
    jobs = client.get(url, {"as_of": "2999-12-31"}).context["report"].table.totals
    assert (jobs[2], jobs[3]) == (totals["billed_to_date"], totals["cost_to_date"])  # billed, cost: QuickBooks' own
    return compared


def test_every_demo_projects_figures_equal_quickbooks_own_data(qbo, login, admin_user, company):
    client = login(admin_user)
    connect_through_consent(client, DEMO_REALM_ID, company)
    company.refresh_from_db()
    qb = company_client(company)
    pull.pull_full(company=company)
    budget_id = str(BUDGET_ID_BASE + 1)
    adopt_budget(company, budget_id, qb)

    expected = Books(qb, [budget_id]).figures()

    assert any(e.contract != e.billed for e in expected.values())  # figures that differ, so a mix-up shows
    assert any(e.budget is not None for e in expected.values()) and qb.count("VendorCredit")
    assert reconcile(client, company, expected) == 6


def test_a_generated_company_of_many_projects_equals_quickbooks_own_data(qbo, login, admin_user, company):
    """Thirty projects and 800 transactions generated by the sandbox (sandbox.scale): invoices, bills, card
    expenses, time and estimates, most charged to a project, some to a client only."""
    realm_id = "9341453199990001"
    created = qbo.control(
        "post",
        "realms",
        json={"realm_id": realm_id, "name": "Generated Builders", "scale": {"customers": 150, "transactions": 800}},
    ).json()
    assert created["added"]
    client = login(admin_user)
    connect_through_consent(client, realm_id, company)
    company.refresh_from_db()
    pull.pull_full(company=company)
    qb = company_client(company)

    expected = Books(qb, []).figures()

    assert sum(1 for e in expected.values() if e.cost and e.billed) >= 20
    assert reconcile(client, company, expected) == Project.objects.filter(company=company, deleted=False).count() >= 30


def company_client(company):
    from quickbooks.client import QuickBooksClient

    return QuickBooksClient.for_company(company)


def test_an_edge_case_companys_figures_equal_quickbooks_own_data(qbo, connected_company, login, admin_user, qb):
    """Every kind of document that moves a figure, and the ones that must not."""
    books = build_edge_cases(qb)
    pull.pull_full(company=connected_company)
    adopt_budget(connected_company, books["budget"], qb)

    expected = Books(qb, [books["budget"]]).figures()

    tower, annex = expected[books["tower"]], expected[books["annex"]]
    # What the documents above add up to, by hand: so this test cannot pass by both sides missing a document.
    assert (tower.contract, tower.billed, tower.cost) == (Decimal("10500.00"), Decimal("2780.00"), Decimal("3802.75"))
    assert (tower.budget, tower.change_order_cost) == (Decimal("4000.00"), Decimal("300.00"))
    assert (annex.billed, annex.cost, annex.budget) == (Decimal("400.00"), Decimal("900.00"), None)
    assert reconcile(login(admin_user), connected_company, expected) == 2


def build_edge_cases(qb) -> dict:
    def create(entity, body):
        return qb.create(entity, body, request_id=rid())

    accounts = {
        name: create("Account", {"Name": f"{name} {rid()[:5]}", "AccountType": kind})
        for name, kind in (
            ("Income", "Income"),
            ("Materials", "Cost of Goods Sold"),
            ("Accrued", "Other Current Liability"),
            ("Payable", "Accounts Payable"),
            ("Bank", "Bank"),
            ("Card", "Credit Card"),
        )
    }
    acct = {name: {"value": doc["Id"]} for name, doc in accounts.items()}
    client = create("Customer", {"DisplayName": f"Edge Client {rid()[:5]}"})
    tower = create_project(qb, client["Id"], f"Tower {rid()[:5]}", status="IN_PROGRESS")
    annex = create_project(qb, client["Id"], f"Annex {rid()[:5]}", status="IN_PROGRESS")
    item = create(
        "Item",
        {"Name": f"Work {rid()[:5]}", "Type": "Service", "UnitPrice": 100, "IncomeAccountRef": acct["Income"]},
    )
    vendor = create("Vendor", {"DisplayName": f"Supplier {rid()[:5]}"})
    rated = create("Employee", {"GivenName": "Rated", "FamilyName": rid()[:5], "CostRate": Decimal("55.00")})
    unrated = create("Employee", {"GivenName": "Unrated", "FamilyName": rid()[:5]})
    customer, on = {"value": client["Id"]}, {"value": tower}

    def sale(amount, qty=1, **extra):
        detail = {"ItemRef": {"value": item["Id"]}, "Qty": qty, "UnitPrice": amount, "TaxCodeRef": {"value": "NON"}}
        return {
            "DetailType": "SalesItemLineDetail",
            "Amount": Decimal(amount) * qty,
            "SalesItemLineDetail": detail,
            **extra,
        }

    def expense(amount, project, account="Materials"):
        detail = {"AccountRef": acct[account], "CustomerRef": {"value": project}}
        return {
            "DetailType": "AccountBasedExpenseLineDetail",
            "Amount": Decimal(amount),
            "ProjectRef": {"value": project},
            "AccountBasedExpenseLineDetail": detail,
        }

    # Contract: an accepted estimate and change order count, a pending and a deleted one do not.
    accepted = create(
        "Estimate", {"CustomerRef": customer, "ProjectRef": on, "TxnStatus": "Accepted", "Line": [sale(10000)]}
    )
    create("Estimate", {"CustomerRef": customer, "ProjectRef": on, "TxnStatus": "Pending", "Line": [sale(777)]})
    gone = create("Estimate", {"CustomerRef": customer, "ProjectRef": on, "TxnStatus": "Accepted", "Line": [sale(999)]})
    qb.delete("Estimate", gone["Id"], gone["SyncToken"], request_id=rid())
    linked = {"LinkedTxn": [{"TxnId": accepted["Id"], "TxnType": "Estimate"}]}
    change = sale(500, **linked)
    change["SalesItemLineDetail"]["UnitCostPrice"] = Decimal("300")
    create("ChangeOrder", {"CustomerRef": customer, "ProjectRef": on, "TxnStatus": "Accepted", "Line": [change]})
    create(
        "ChangeOrder",
        {"CustomerRef": customer, "ProjectRef": on, "TxnStatus": "Pending", "Line": [sale(250, **linked)]},
    )
    # Billing: an invoice with a discount, a line-level ProjectRef on an invoice to the client, a credit memo, a
    # sales receipt and a refund.
    discount = {
        "DetailType": "DiscountLineDetail",
        "Amount": Decimal("150"),
        "DiscountLineDetail": {"PercentBased": False},
    }
    create("Invoice", {"CustomerRef": customer, "ProjectRef": on, "Line": [sale(3000), discount]})
    create("Invoice", {"CustomerRef": customer, "Line": [sale(400, ProjectRef={"value": annex})]})
    create("CreditMemo", {"CustomerRef": customer, "ProjectRef": on, "Line": [sale(120)]})
    create(
        "SalesReceipt",
        {"CustomerRef": customer, "ProjectRef": on, "DepositToAccountRef": acct["Bank"], "Line": [sale(80)]},
    )
    create(
        "RefundReceipt",
        {"CustomerRef": customer, "ProjectRef": on, "DepositToAccountRef": acct["Bank"], "Line": [sale(30)]},
    )
    # Cost: a bill, a deleted bill, a card charge and a card credit, a vendor credit, time, journal lines.
    create(
        "Bill", {"VendorRef": {"value": vendor["Id"]}, "Line": [expense("2500.00", tower), expense("900.00", annex)]}
    )
    dropped = create("Bill", {"VendorRef": {"value": vendor["Id"]}, "Line": [expense("5000.00", tower)]})
    qb.delete("Bill", dropped["Id"], dropped["SyncToken"], request_id=rid())
    card = {"PaymentType": "CreditCard", "AccountRef": acct["Card"]}
    create("Purchase", {**card, "Line": [expense("310.40", tower)]})
    create("Purchase", {**card, "Credit": True, "Line": [expense("45.15", tower)]})
    create("VendorCredit", {"VendorRef": {"value": vendor["Id"]}, "Line": [expense("120.00", tower)]})
    time = {"NameOf": "Employee", "ProjectRef": on, "CustomerRef": customer, "Hours": 4, "Minutes": 30}
    create("TimeActivity", {**time, "EmployeeRef": {"value": rated["Id"]}})  # no CostRate: the employee's 55.00
    create("TimeActivity", {**time, "EmployeeRef": {"value": rated["Id"]}, "CostRate": Decimal("60")})
    create("TimeActivity", {**time, "EmployeeRef": {"value": unrated["Id"]}})  # no rate anywhere
    journal = {"DetailType": "JournalEntryLineDetail", "Amount": Decimal("640.00"), "ProjectRef": on}
    create(
        "JournalEntry",
        {
            "Line": [
                {**journal, "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": acct["Materials"]}},
                {**journal, "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": acct["Accrued"]}},
            ]
        },
    )
    budget = qb.graphql(
        CREATE_BUDGET,
        {
            "budgetInput": {
                "budgetName": "Tower budget",
                "budgetType": "PROJECT",
                "linkedEntityId": tower,
                "startDate": "2026-01-01",
                "endDate": "2026-12-31",
                "budgetDetails": [
                    {"type": "ITEM", "itemId": item["Id"], "unitCost": 40, "quantity": 100, "amount": 4000}
                ],
            }
        },
    )["businessPlanningCreateBudget"]["budget"]["budgetId"]
    return {"tower": tower, "annex": annex, "budget": str(budget)}


CREATE_BUDGET = """
mutation($budgetInput: BusinessPlanning_BudgetInput!) {
  businessPlanningCreateBudget(budgetInput: $budgetInput) { budget { budgetId } }
}
"""
