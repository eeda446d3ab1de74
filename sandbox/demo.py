"""The simulator's two demo companies, seeded on first start and after a reset.

- Harbor Build Co. (`DEMO_REALM_ID`, QuickBooks Online Advanced): an Oakland renovation contractor with six real
  projects, one look-alike sub-customer that is not a project, project estimates, change orders, invoices, bills,
  expenses, purchase orders, time, payments, one project budget (a GraphQL-only `GraphObject`) and exactly one
  mis-coded bill (`MISCODED_DOC_NUMBER`, charged to the client instead of its project) for data-health checks.
- Maple Street Services (`PLUS_REALM_ID`, QuickBooks Online Plus): a small landscaper with one project and a few
  invoices and bills; no change orders and no budgets, which Plus does not offer.

Dates are relative to today (the last six months) and the random choices use a fixed seed, so every seed of the
same day gives the same data. Project customers keep the Projects API's fields under the document key `_project`
(name, description, status, priority, startDate, dueDate, completedDate, completionRate, pinned...); the REST
layer must not show that key. A project's GraphQL id is taken to be its Customer Id (the sandbox's choice;
Intuit does not say), so `ProjectRef.value` and a budget's `linkedEntityId` are that Id.
"""

import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import store
from .codec import money
from .demo_data import documents as doc
from .demo_data import harbor
from .models import GraphObject, Realm
from .timefmt import COMPANY_TZ

DEMO_REALM_ID = "9341453050071010"
PLUS_REALM_ID = "9341453050072020"
DEMO_COMPANY = "Harbor Build Co."
PLUS_COMPANY = "Maple Street Services"
MISCODED_DOC_NUMBER = "CD-4471"  # the Harbor Build bill charged to Okafor Residence instead of its project
RANDOM_SEED = 20260521
BUDGET_ID_BASE = 100_000_000  # as sandbox.graphql.budgets numbers budgets: Intuit's ids look like 100000001


def seed_demo() -> bool:
    """Create both demo companies unless any realm exists. Returns whether it seeded."""
    if Realm.objects.exists():
        return False
    with transaction.atomic(using="sandbox"):
        HarborBuild(Realm.objects.create(realm_id=DEMO_REALM_ID, name=DEMO_COMPANY, plan=Realm.Plan.ADVANCED)).seed()
        MapleStreet(Realm.objects.create(realm_id=PLUS_REALM_ID, name=PLUS_COMPANY, plan=Realm.Plan.PLUS)).seed()
    return True


@dataclass(order=True)
class Planned:
    """A transaction to create later, in date order; `build` makes its body once earlier ones have Ids."""

    day: date
    seq: int
    type: str = field(compare=False)
    key: str = field(compare=False)
    build: Callable[[], dict] = field(compare=False)


class Company:
    """Writes one realm's objects through `sandbox.store`, remembering each stored document by a key."""

    def __init__(self, realm: Realm):
        self.realm = realm
        self.now = timezone.now()
        self.today = self.now.astimezone(COMPANY_TZ).date()
        self.rng = random.Random(RANDOM_SEED)  # noqa: S311 - reproducible demo data, not security
        self.docs: dict[str, dict] = {}
        self.plan: list[Planned] = []
        self.numbers: dict[str, int] = defaultdict(lambda: 1000)

    def create(self, type_: str, key: str, body: dict, day: date | None = None) -> dict:
        """Store `body`; name lists are dated before the six months of history, transactions on their TxnDate."""
        day = day or self.today - timedelta(days=185)
        at = datetime.combine(day, time(9), tzinfo=COMPANY_TZ) + timedelta(minutes=len(self.docs) % 480)
        entity = store.create(self.realm, type_, body, at=min(at, self.now))
        self.docs[key] = entity.document
        return self.docs[key]

    def later(self, day: date, type_: str, key: str, build: Callable[[], dict]) -> None:
        if day <= self.today:
            self.plan.append(Planned(day, len(self.plan), type_, key, build))

    def run_plan(self) -> None:
        for planned in sorted(self.plan):
            self.create(planned.type, planned.key, planned.build(), planned.day)

    def number(self, series: str) -> str:
        self.numbers[series] += 1
        return str(self.numbers[series])

    def ref(self, key: str) -> dict:
        return doc.ref(self.docs[key])

    def accounts(self, table: dict) -> None:
        for key, (name, type_, sub_type, number) in table.items():
            self.create("Account", f"account:{key}", doc.account(name, type_, sub_type, number))

    def items(self, table: dict) -> None:
        for key, (name, type_, desc, price, cost, income, expense, taxable) in table.items():
            income_doc, expense_doc = self.docs[f"account:{income}"], self.docs[f"account:{expense}"]
            body = doc.item(name, type_, desc, price, cost, income_doc, expense_doc, taxable=taxable)
            self.create("Item", f"item:{key}", body)

    def customers(self, table: dict) -> None:
        for key, (name, company, given, family, email, phone, street, city, postal) in table.items():
            body = doc.customer(
                name,
                company=company,
                given=given,
                family=family,
                email=email,
                phone=phone,
                street=street,
                city=city,
                postal=postal,
            )
            self.create("Customer", f"customer:{key}", body)

    def tax_codes(self) -> None:
        self.create("TaxCode", "taxcode:TAX", doc.tax_code("TAX", "Taxable", taxable=True))
        self.create("TaxCode", "taxcode:NON", doc.tax_code("NON", "Non-taxable", taxable=False))

    def update_balances(self) -> None:
        """Customer and vendor balances from the open invoices and bills, saved as QuickBooks would (SyncToken 1)."""
        owed, due = defaultdict(Decimal), defaultdict(Decimal)
        for body in self.docs.values():
            if "Balance" in body and "VendorRef" in body:
                due[body["VendorRef"]["value"]] += body["Balance"]
            elif "Balance" in body and "CustomerRef" in body and "DueDate" in body:
                owed[body.get("ProjectRef", body["CustomerRef"])["value"]] += body["Balance"]
        for key, body in list(self.docs.items()):
            if key.startswith("customer:") or key.startswith("project:"):
                self._save_customer_balance(key, body, owed)
            elif key.startswith("vendor:") and due[body["Id"]]:
                self._save(key, "Vendor", {**body, "Balance": money(due[body["Id"]])})

    def _save_customer_balance(self, key: str, body: dict, owed: dict) -> None:
        children = [c["Id"] for c in self.docs.values() if c.get("ParentRef", {}).get("value") == body["Id"]]
        own = money(owed[body["Id"]])
        with_jobs = money(own + sum((owed[c] for c in children), Decimal(0)))
        if with_jobs:
            self._save(key, "Customer", {**body, "Balance": own, "BalanceWithJobs": with_jobs})

    def _save(self, key: str, type_: str, body: dict) -> None:
        entity = store.get(self.realm, type_, body["Id"])
        self.docs[key] = store.save(entity, body, at=self.now).document


class HarborBuild(Company):
    """The Advanced demo company: six projects and everything charged to them."""

    def seed(self) -> None:
        self.name_lists()
        for project in harbor.PROJECTS:
            self.project(project)
        self.lookalike()
        self.service_calls()
        self.miscoded_bill()
        self.run_plan()
        self.budget(harbor.PROJECTS[0])
        self.update_balances()

    def name_lists(self) -> None:
        self.accounts(harbor.ACCOUNTS)
        self.sales_tax()
        for name in harbor.CLASSES:
            self.create("Class", f"class:{name}", doc.named(name, sub_flag="SubClass"))
        for name in harbor.DEPARTMENTS:
            self.create("Department", f"department:{name}", doc.named(name, sub_flag="SubDepartment"))
        self.items(harbor.ITEMS)
        for key, (given, family, number, bill_rate, cost_rate, hired) in harbor.EMPLOYEES.items():
            body = doc.employee(given, family, number, bill_rate, cost_rate, self.today - timedelta(days=hired))
            self.create("Employee", f"employee:{key}", body)
        for key, (name, email, is_1099) in harbor.VENDORS.items():
            self.create("Vendor", f"vendor:{key}", doc.vendor(name, email=email, is_1099=is_1099))
        self.customers(harbor.CUSTOMERS)

    def sales_tax(self) -> None:
        agency = {"DisplayName": "California Department of Tax and Fee Administration", "TaxTrackedOnSales": True}
        agency = self.create("TaxAgency", "taxagency", {**agency, "TaxTrackedOnPurchases": False})
        rate = {"Name": "Alameda County", "Description": "Alameda County combined sales tax", "Active": True}
        rate.update({"RateValue": harbor.SALES_TAX_PERCENT, "AgencyRef": {"value": agency["Id"]}})
        rate = self.create("TaxRate", "taxrate", {**rate, "SpecialTaxType": "NONE", "DisplayType": "ReadOnly"})
        self.tax_codes()
        code = self.create(
            "TaxCode",
            "taxcode:county",
            doc.tax_code("Alameda County", "Alameda County", taxable=True, rates=[doc.ref(rate)]),
        )
        self.tax = {"code": doc.ref(code), "rate": doc.ref(rate), "percent": harbor.SALES_TAX_PERCENT}

    def project(self, spec: dict) -> None:
        start = self.today - timedelta(days=spec["start"])
        due = start + timedelta(days=spec["length"])
        fields = doc.project_fields(
            spec["name"],
            spec["description"],
            spec["status"],
            spec["priority"],
            start,
            due,
            spec["completion"],
            spec["pinned"],
        )
        parent = self.docs[f"customer:{spec['client']}"]
        self.create(
            "Customer",
            f"project:{spec['key']}",
            doc.sub_customer(parent, spec["name"], is_project=True, project=fields),
            start,
        )
        ProjectPlan(self, spec, start).plan()

    def lookalike(self) -> None:
        client, name = harbor.LOOKALIKE
        body = doc.sub_customer(self.docs[f"customer:{client}"], name, is_project=False)
        self.create("Customer", "lookalike", body, self.today - timedelta(days=160))

    def service_calls(self) -> None:
        for client, item_key, qty, days_ago, paid in harbor.SERVICE_CALLS:
            self.service_call(client, item_key, qty, self.today - timedelta(days=days_ago), paid)
        client, item_key, qty, days_ago = harbor.CASH_SALE
        day = self.today - timedelta(days=days_ago)

        def build():
            item = self.docs[f"item:{item_key}"]
            lines = [doc.sales_line(1, item, qty, item["UnitPrice"])]
            return doc.sales_receipt(
                self.ref(f"customer:{client}"),
                lines,
                day,
                self.number("receipt"),
                self.docs["account:checking"],
                tax=self.tax,
            )

        self.later(day, "SalesReceipt", f"receipt:{client}", build)

    def service_call(self, client: str, item_key: str, qty: int, day: date, paid: bool) -> None:
        item = self.docs[f"item:{item_key}"]
        lines = [doc.sales_line(1, item, qty, item["UnitPrice"])]
        total = doc.invoice({}, None, lines, day, "", tax=self.tax)["TotalAmt"]
        paid_day = day + timedelta(days=14)
        paid_amount = total if paid and paid_day <= self.today else Decimal(0)
        key = f"invoice:{client}"
        self.later(
            day,
            "Invoice",
            key,
            lambda: doc.invoice(
                self.ref(f"customer:{client}"), None, lines, day, self.number("invoice"), tax=self.tax, paid=paid_amount
            ),
        )
        if paid_amount:
            self.later(
                paid_day,
                "Payment",
                f"payment:{client}",
                lambda: doc.payment(
                    self.ref(f"customer:{client}"),
                    None,
                    [(self.docs[key]["Id"], paid_amount)],
                    paid_day,
                    self.docs["account:checking"],
                    ref_num=f"CHK {self.rng.randint(1000, 9999)}",
                ),
            )

    def miscoded_bill(self) -> None:
        """Cabinet hardware for the Okafor kitchen, charged to the client record instead of the project."""
        day = self.today - timedelta(days=25)

        def build():
            line = doc.account_expense_line(
                1,
                self.docs["account:cogs_materials"],
                Decimal("486.20"),
                "Cabinet hardware and soft-close hinges - Okafor kitchen",
                customer=self.ref("customer:okafor"),
                billable="Billable",
            )
            return doc.bill(
                self.docs["vendor:cabinet_depot"], self.docs["account:ap"], [line], day, MISCODED_DOC_NUMBER
            )

        self.later(day, "Bill", "bill:miscoded", build)

    def budget(self, spec: dict) -> GraphObject:
        """The Budgets API's project budget for the first project: its estimated costs, line by line."""
        project = self.docs[f"project:{spec['key']}"]
        fields = project["_project"]
        lines = [
            self.budget_line(n, item_key, qty, fields["startDate"][:10], spec)
            for n, (item_key, qty) in enumerate(spec["scope"], start=1)
        ]
        budget_id = str(BUDGET_ID_BASE + store.next_id(self.realm, "Budget"))
        created = datetime.combine(
            date.fromisoformat(fields["startDate"][:10]) + timedelta(days=4), time(17), tzinfo=COMPANY_TZ
        )
        stamp = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        body = {"budgetId": budget_id, "budgetName": f"{project['FullyQualifiedName']} budget", "budgetType": "PROJECT"}
        body.update({"linkedEntityId": project["Id"], "startDate": fields["startDate"][:10]})
        body.update({"endDate": fields["dueDate"][:10], "state": "LOCKED", "deleted": False, "syncToken": 0})
        body["total"] = sum((line["amount"] for line in lines), Decimal("0.00"))
        author = "Priya Natarajan"
        body["budgetMetaData"] = {"createdBy": author, "createdAt": stamp, "lastUpdatedBy": author, "updatedAt": stamp}
        body.update({"viewSettings": {"archived": False}, "budgetDetails": lines, "lastSequence": len(lines)})
        budget = GraphObject(
            realm=self.realm, type="Budget", object_id=budget_id, created_at=created, updated_at=created
        )
        budget.document = body
        budget.save(using="sandbox")
        return budget

    def budget_line(self, n: int, item_key: str, qty: int, day: str, spec: dict) -> dict:
        item = self.docs[f"item:{item_key}"]
        return {
            "sequenceId": str(n),
            "order": str(n),
            "type": "ITEM",
            "itemId": item["Id"],
            "unitCost": item["PurchaseCost"],
            "quantity": Decimal(qty),
            "amount": money(qty * item["PurchaseCost"]),
            "description": item["Description"],
            "date": day,
            "accountId": item["ExpenseAccountRef"]["value"],
            "klassId": self.docs[f"class:{spec['class']}"]["Id"],
            "locationId": self.docs[f"department:{spec['department']}"]["Id"],
            "dimensions": [],
            "customFields": [],
        }


class ProjectPlan:
    """One project's history: its estimate, change orders, then three phases of costs and progress invoices."""

    PHASES = 3

    def __init__(self, company: HarborBuild, spec: dict, start: date):
        self.co, self.spec, self.start = company, spec, start
        self.key = spec["key"]
        self.project_key, self.client_key = f"project:{self.key}", f"customer:{spec['client']}"
        self.invoices: list[tuple[date, list]] = []

    def item(self, key: str) -> dict:
        return self.co.docs[f"item:{key}"]

    def priced(self, num: int, item_key: str, qty: int, *, cost=False, linked=None) -> dict:
        """A sales line at the item's price; `cost` adds the estimate's cost columns, `linked` a change-order link."""
        item = self.item(item_key)
        unit_cost = item["PurchaseCost"] if cost else None
        return doc.sales_line(num, item, qty, item["UnitPrice"], unit_cost=unit_cost, linked_estimate=linked)

    def plan(self) -> None:
        self.estimate()
        for n, change in enumerate(self.spec["change_orders"], start=1):
            self.change_order(n, *change)
        phase_days = self.spec["length"] // self.PHASES
        scope = self.spec["scope"]
        for k in range(self.PHASES):
            lines = scope[k * len(scope) // self.PHASES : (k + 1) * len(scope) // self.PHASES]
            window = (self.start + timedelta(days=k * phase_days), self.start + timedelta(days=(k + 1) * phase_days))
            self.costs(f"p{k + 1}", lines, *window)
            self.invoices.append((window[1], lines))
        self.purchase_order()
        self.plan_invoices()

    def estimate(self) -> None:
        accepted = self.spec["status"] != "OPEN"
        accepted_date = self.start + timedelta(days=3)

        def build():
            lines = [self.priced(n, k, q, cost=True) for n, (k, q) in enumerate(self.spec["scope"], start=1)]
            return self.tagged(
                doc.estimate(
                    self.co.ref(self.client_key),
                    self.co.ref(self.project_key),
                    lines,
                    self.start,
                    self.co.number("estimate"),
                    status="Accepted" if accepted else "Pending",
                    accepted_by=self.spec["accepted_by"],
                    accepted_date=accepted_date,
                    tax=self.co.tax,
                )
            )

        self.co.later(self.start, "Estimate", f"estimate:{self.key}", build)

    def change_order(self, n: int, status: str, memo: str, scope: list, days_after: int) -> None:
        day = self.start + timedelta(days=days_after)
        accepted_date = min(day + timedelta(days=2), self.co.today)

        def build():
            estimate_id = self.co.docs[f"estimate:{self.key}"]["Id"]
            lines = [self.priced(i, k, q, cost=True, linked=estimate_id) for i, (k, q) in enumerate(scope, start=1)]
            return self.tagged(
                doc.change_order(
                    self.co.ref(self.client_key),
                    self.co.ref(self.project_key),
                    estimate_id,
                    lines,
                    day,
                    f"CO-{self.co.number('change order')[1:]}",
                    status=status,
                    accepted_by=self.spec["accepted_by"],
                    accepted_date=accepted_date,
                    tax=self.co.tax,
                    memo=memo,
                )
            )

        self.co.later(day, "ChangeOrder", f"changeorder:{self.key}:{n}", build)
        if status == "Accepted":
            self.costs(f"co{n}", scope, accepted_date, accepted_date + timedelta(days=21))
            self.invoices.append((accepted_date + timedelta(days=21), scope))

    def tagged(self, body: dict) -> dict:
        """Project transactions carry the project's location (QuickBooks' Department); Payments have none."""
        return {**body, "DepartmentRef": self.co.ref(f"department:{self.spec['department']}")}

    def costs(self, phase: str, lines: list, begin: date, end: date) -> None:
        """What a phase costs: crew time, supplier and subcontractor bills, permits, equipment rental."""
        by_vendor = defaultdict(list)
        for item_key, qty in lines:
            if item_key in harbor.CREW:
                self.time_entries(item_key, qty, begin, end)
            elif item_key == "permit":
                self.permit(phase, qty, begin)
            else:
                by_vendor[harbor.SUPPLIER[item_key]].append((item_key, qty))
        for vendor_key, vendor_lines in by_vendor.items():
            self.vendor_bill(phase, vendor_key, vendor_lines, begin + timedelta(days=5))
        self.equipment_rental(phase, begin + timedelta(days=2))

    def time_entries(self, item_key: str, hours: int, begin: date, end: date) -> None:
        """The hours as workday entries of up to 8 hours, spread evenly over the window."""
        count = math.ceil(hours / 8)
        span = max((end - begin).days - 1, 1)
        crew = harbor.CREW[item_key]
        for i in range(count):
            day = begin + timedelta(days=i * span // count)
            entry_hours = min(8, hours - 8 * i)
            employee_key = crew[i % len(crew)]
            self.co.later(
                day,
                "TimeActivity",
                f"time:{self.key}:{item_key}:{begin}:{i}",
                lambda d=day, h=entry_hours, e=employee_key: self.time_entry(item_key, d, h, e),
            )

    def time_entry(self, item_key: str, day: date, hours: int, employee_key: str) -> dict:
        body = doc.time_activity(
            self.co.docs[f"employee:{employee_key}"],
            self.co.ref(self.project_key),
            self.co.ref(self.project_key),
            self.item(item_key),
            day,
            hours,
            description=f"{self.item(item_key)['Name']} - {self.spec['name']}",
        )
        return {**self.tagged(body), "ClassRef": self.co.ref(f"class:{self.spec['class']}")}

    def vendor_bill(self, phase: str, vendor_key: str, lines: list, day: date) -> None:
        def build():
            project = self.co.ref(self.project_key)
            body_lines = []
            for n, (item_key, qty) in enumerate(lines, start=1):
                item = self.item(item_key)
                if item["Type"] == "Service":  # subcontracted labor books to the Subcontractors account
                    body_lines.append(
                        doc.account_expense_line(
                            n,
                            self.co.docs["account:cogs_subs"],
                            money(qty * item["PurchaseCost"]),
                            f"{item['Name']}, {qty} hrs - {self.spec['name']}",
                            customer=project,
                            project=project,
                        )
                    )
                else:
                    body_lines.append(
                        doc.item_expense_line(n, item, qty, item["PurchaseCost"], customer=project, project=project)
                    )
            doc_number = f"{vendor_key[:3].upper()}-{self.co.rng.randint(10000, 99999)}"
            return self.tagged(
                doc.bill(self.co.docs[f"vendor:{vendor_key}"], self.co.docs["account:ap"], body_lines, day, doc_number)
            )

        self.co.later(day, "Bill", f"bill:{self.key}:{phase}:{vendor_key}", build)
        goods = [item_key for item_key, _ in lines if self.item(item_key)["Type"] != "Service"]
        if phase == "p1" and goods:
            self.return_to_supplier(vendor_key, goods[0], day + timedelta(days=10))

    def return_to_supplier(self, vendor_key: str, item_key: str, day: date) -> None:
        """One unit of the first phase's goods goes back: a VendorCredit charged to the project lowers its cost."""

        def build():
            project = self.co.ref(self.project_key)
            item = self.item(item_key)
            line = doc.item_expense_line(1, item, 1, item["PurchaseCost"], customer=project, project=project)
            line["Description"] = f"Returned: {item['Name']}"
            number = f"VC-{self.key[:4].upper()}-{vendor_key[:3].upper()}"
            return self.tagged(
                doc.vendor_credit(self.co.docs[f"vendor:{vendor_key}"], self.co.docs["account:ap"], [line], day, number)
            )

        self.co.later(day, "VendorCredit", f"vendorcredit:{self.key}:{vendor_key}", build)

    def permit(self, phase: str, qty: int, day: date) -> None:
        def build():
            project = self.co.ref(self.project_key)
            item = self.item("permit")
            line = doc.item_expense_line(1, item, qty, item["PurchaseCost"], customer=project, project=project)
            return self.tagged(
                doc.purchase(
                    self.co.docs["vendor:city_permits"],
                    "Vendor",
                    self.co.docs["account:checking"],
                    "Check",
                    [line],
                    day,
                    self.co.number("check"),
                )
            )

        self.co.later(day, "Purchase", f"purchase:{self.key}:{phase}:permit", build)

    def equipment_rental(self, phase: str, day: date) -> None:
        def build():
            project = self.co.ref(self.project_key)
            amount = money(Decimal(self.co.rng.randint(18500, 95000)) / 100)
            line = doc.account_expense_line(
                1,
                self.co.docs["account:equipment"],
                amount,
                f"Equipment rental - {self.spec['name']}",
                customer=project,
                project=project,
            )
            return self.tagged(
                doc.purchase(
                    self.co.docs["vendor:sunbelt"], "Vendor", self.co.docs["account:card"], "CreditCard", [line], day
                )
            )

        self.co.later(day, "Purchase", f"purchase:{self.key}:{phase}:rental", build)

    def purchase_order(self) -> None:
        """A purchase order at the start for the lumber yard's materials, closed once the project is complete."""
        ordered = [(k, q) for k, q in self.spec["scope"] if harbor.SUPPLIER.get(k) == "bayline"]
        if not ordered:
            return
        day = self.start + timedelta(days=1)

        def build():
            project = self.co.ref(self.project_key)
            lines = [
                doc.item_expense_line(
                    n, self.item(k), q, self.item(k)["PurchaseCost"], customer=project, project=project
                )
                for n, (k, q) in enumerate(ordered, start=1)
            ]
            status = "Closed" if self.spec["status"] == "COMPLETE" else "Open"
            return self.tagged(
                doc.purchase_order(
                    self.co.docs["vendor:bayline"],
                    self.co.docs["account:ap"],
                    lines,
                    day,
                    self.co.number("po"),
                    status=status,
                )
            )

        self.co.later(day, "PurchaseOrder", f"po:{self.key}", build)

    def plan_invoices(self) -> None:
        """Progress invoices at the end of each phase (and of accepted change orders), some paid."""
        due = sorted((day, lines) for day, lines in self.invoices if day <= self.co.today)
        shares = self.spec.get("payments", [])
        for n, (day, lines) in enumerate(due):
            share = Decimal(shares[n]) if n < len(shares) else Decimal(0)
            self.invoice(n, day, lines, share)

    def invoice(self, n: int, day: date, scope: list, share: Decimal) -> None:
        lines = [self.priced(i, k, q) for i, (k, q) in enumerate(scope, start=1)]
        total = doc.invoice({}, None, lines, day, "", tax=self.co.tax)["TotalAmt"]
        paid_day = day + timedelta(days=12)
        paid = money(total * share) if paid_day <= self.co.today else Decimal(0)
        key = f"invoice:{self.key}:{n}"
        client, project = self.co.ref(self.client_key), self.co.ref(self.project_key)
        self.co.later(
            day,
            "Invoice",
            key,
            lambda: self.tagged(
                doc.invoice(
                    client,
                    project,
                    lines,
                    day,
                    self.co.number("invoice"),
                    tax=self.co.tax,
                    paid=paid,
                    estimate_id=self.co.docs[f"estimate:{self.key}"]["Id"],
                )
            ),
        )
        if paid:
            self.co.later(
                paid_day,
                "Payment",
                f"payment:{self.key}:{n}",
                lambda: doc.payment(
                    client,
                    project,
                    [(self.co.docs[key]["Id"], paid)],
                    paid_day,
                    self.co.docs["account:checking"],
                    ref_num=f"CHK {self.co.rng.randint(1000, 9999)}",
                ),
            )


class MapleStreet(Company):
    """The Plus demo company: a landscaper with one project created in QuickBooks and a few transactions."""

    ACCOUNTS = {
        "checking": ("Checking", "Bank", "Checking", "1000"),
        "ar": ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "1100"),
        "ap": ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "2000"),
        "income": ("Landscaping Services", "Income", "ServiceFeeIncome", "4000"),
        "materials": ("Plants & Materials", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5000"),
    }
    ITEMS = {
        "mowing": (
            "Lawn Maintenance",
            "Service",
            "Mowing, edging and cleanup (per visit)",
            Decimal("65"),
            Decimal("30"),
            "income",
            "materials",
            False,
        ),
        "irrigation": (
            "Irrigation Repair",
            "Service",
            "Irrigation troubleshooting and repair (per hour)",
            Decimal("90"),
            Decimal("45"),
            "income",
            "materials",
            False,
        ),
        "plants": (
            "Plants & Shrubs",
            "NonInventory",
            "Nursery plants and shrubs (each)",
            Decimal("28"),
            Decimal("14"),
            "income",
            "materials",
            False,
        ),
    }
    CUSTOMERS = {
        "greenway": (
            "Greenway Apartments",
            "Greenway Apartments LP",
            "Rosa",
            "Delgado",
            "rosa@greenway.example",
            "(503) 555-0110",
            "800 SE Maple St",
            "Portland",
            "97214",
        ),
        "whitaker": (
            "Dana Whitaker",
            "",
            "Dana",
            "Whitaker",
            "dana.whitaker@example.com",
            "(503) 555-0132",
            "2211 NE Alberta St",
            "Portland",
            "97211",
        ),
        "elmdental": (
            "Elm Street Dental",
            "Elm Street Dental PC",
            "Sam",
            "Okoro",
            "front@elmdental.example",
            "(503) 555-0175",
            "415 Elm St",
            "Portland",
            "97205",
        ),
        "library": (
            "Oak Park Library",
            "Friends of Oak Park Library",
            "Joan",
            "Lee",
            "joan@oakparklib.example",
            "(503) 555-0190",
            "95 Oak Park Ave",
            "Portland",
            "97219",
        ),
    }

    def seed(self) -> None:
        self.accounts(self.ACCOUNTS)
        self.tax_codes()
        self.items(self.ITEMS)
        for key, name in {"nursery": "Valley Nursery", "irrigation": "Gonzalez Irrigation Supply"}.items():
            self.create("Vendor", f"vendor:{key}", doc.vendor(name, city="Portland"))
        self.customers(self.CUSTOMERS)
        start = self.today - timedelta(days=45)
        fields = doc.project_fields(
            "Courtyard Refresh",
            "Replant the courtyard beds and fix the irrigation.",
            "IN_PROGRESS",
            3,
            start,
            start + timedelta(days=60),
            50,
            False,
        )
        self.create(
            "Customer",
            "project:courtyard",
            doc.sub_customer(self.docs["customer:greenway"], "Courtyard Refresh", is_project=True, project=fields),
            start,
        )
        self.transactions(start)
        self.update_balances()

    def transactions(self, start: date) -> None:
        plants, irrigation = self.docs["item:plants"], self.docs["item:irrigation"]
        mowing = self.docs["item:mowing"]
        project, client = self.ref("project:courtyard"), self.ref("customer:greenway")
        lines = [doc.sales_line(1, plants, 40, plants["UnitPrice"]), doc.sales_line(2, irrigation, 6, Decimal("90"))]
        self.create(
            "Invoice",
            "invoice:courtyard",
            doc.invoice(client, project, lines, start + timedelta(days=20), self.number("invoice")),
            start + timedelta(days=20),
        )
        lines = [doc.sales_line(1, mowing, 4, mowing["UnitPrice"])]
        day = self.today - timedelta(days=10)
        self.create(
            "Invoice",
            "invoice:whitaker",
            doc.invoice(self.ref("customer:whitaker"), None, lines, day, self.number("invoice")),
            day,
        )
        line = doc.item_expense_line(1, plants, 40, plants["PurchaseCost"], customer=project, project=project)
        day = start + timedelta(days=5)
        self.create(
            "Bill",
            "bill:nursery",
            doc.bill(self.docs["vendor:nursery"], self.docs["account:ap"], [line], day, "VN-2291"),
            day,
        )
        line = doc.account_expense_line(
            1, self.docs["account:materials"], Decimal("212.48"), "Drip line, emitters and fittings"
        )
        day = self.today - timedelta(days=30)
        self.create(
            "Bill",
            "bill:irrigation",
            doc.bill(self.docs["vendor:irrigation"], self.docs["account:ap"], [line], day, "GIS-7731"),
            day,
        )
