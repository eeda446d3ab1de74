"""Scale data: fill a realm with tens of thousands of customers and 100,000 transactions, fast.

Documents come from the same builders as the demo companies (`sandbox.demo_data.documents`) and get the same
envelope `store.create` writes (Id, SyncToken "0", domain, sparse, MetaData), but go in with `bulk_create` in
batches instead of one `store.create` each; so no change events fire. Afterwards each type's `Counter` is set to
its highest Id, so later creates continue the sequence.
"""

import random
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import store
from .demo_data import documents as doc
from .models import Counter, Entity, Realm
from .timefmt import COMPANY_TZ

BATCH_SIZE = 2000
HISTORY_DAYS = 180
PROJECT_SHARE = 5  # one customer in five is a project under another customer
TAGGED_PERCENT = 85  # share of transactions charged to a project
# The transaction mix, in a repeating pattern of 20: invoices, bills, expenses, time entries, estimates.
MIX = ["Invoice"] * 5 + ["Bill"] * 5 + ["Purchase"] * 3 + ["TimeActivity"] * 5 + ["Estimate"] * 2

SERVICES = [
    ("Labor", Decimal("95"), Decimal("48")),
    ("Electrical", Decimal("125"), Decimal("68")),
    ("Plumbing", Decimal("120"), Decimal("65")),
    ("Project Management", Decimal("110"), Decimal("55")),
]
MATERIALS = [
    ("Lumber", Decimal("210"), Decimal("150")),
    ("Drywall", Decimal("24"), Decimal("15.40")),
    ("Tile", Decimal("11.50"), Decimal("6.25")),
    ("Fixtures", Decimal("1850"), Decimal("1150")),
]


def entity_row(realm: Realm, type_: str, body: dict, qbo_id: int, moment: datetime) -> Entity:
    """An unsaved Entity exactly as `store.create` would store `body` (document and indexed columns)."""
    document = doc.envelope(body, qbo_id, moment)
    entity = Entity(realm=realm, type=type_, qbo_id=qbo_id, sync_token=0, created_at=moment, updated_at=moment)
    entity.document = document
    store._index_columns(entity, document)
    return entity


class _Ids:
    """Hands out Ids per type after the realm's current counters, and writes the counters back at the end."""

    def __init__(self, realm: Realm):
        self.realm = realm
        self.last = dict(Counter.objects.filter(realm=realm).values_list("name", "value"))

    def next(self, type_: str) -> int:
        self.last[type_] = self.last.get(type_, 0) + 1
        return self.last[type_]

    def save(self) -> None:
        for name, value in self.last.items():
            Counter.objects.update_or_create(realm=self.realm, name=name, defaults={"value": value})


class ScaleSeeder:
    def __init__(self, realm: Realm, seed: int):
        self.realm = realm
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
        self.ids = _Ids(realm)
        self.now = timezone.now()
        self.today = self.now.astimezone(COMPANY_TZ).date()
        self.start = self.today - timedelta(days=HISTORY_DAYS)

    def row(self, type_: str, body: dict, moment: datetime) -> Entity:
        qbo_id = self.ids.next(type_)
        entity = entity_row(self.realm, type_, body, qbo_id, moment)
        body.update({"Id": str(qbo_id)})  # so later refs to this object can be built from `body`
        return entity

    def moment(self, day) -> datetime:
        return min(
            datetime.combine(day, time(8), tzinfo=COMPANY_TZ) + timedelta(seconds=self.rng.randrange(36000)), self.now
        )

    def name_lists(self) -> Iterator[Entity]:
        at = self.moment(self.start - timedelta(days=5))
        names = [
            ("ar", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "1200"),
            ("ap", "Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "2000"),
            ("bank", "Operating Account", "Bank", "Checking", "1010"),
            ("income", "Contract Income", "Income", "ServiceFeeIncome", "4000"),
            ("cogs", "Job Costs", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5000"),
            ("expense", "Job Expenses", "Expense", "OtherMiscellaneousServiceCost", "6000"),
        ]
        self.accounts = {}
        for key, *fields in names:
            self.accounts[key] = doc.account(*fields)
            yield self.row("Account", self.accounts[key], at)
        self.services, self.materials = [], []
        for pool, table, type_, taxable in (
            (self.services, SERVICES, "Service", False),
            (self.materials, MATERIALS, "NonInventory", True),
        ):
            for name, price, cost in table:
                pool.append(
                    doc.item(
                        f"Scale {name}",
                        type_,
                        name,
                        price,
                        cost,
                        self.accounts["income"],
                        self.accounts["cogs"],
                        taxable=taxable,
                    )
                )
                yield self.row("Item", pool[-1], at)
        self.vendors = [doc.vendor(f"Scale Supplier {n:03d}") for n in range(1, 51)]
        self.employees = [
            doc.employee("Crew", f"Member {n:02d}", f"S-{n:03d}", 95, 45, self.start) for n in range(1, 21)
        ]
        yield from (self.row("Vendor", body, at) for body in self.vendors)
        yield from (self.row("Employee", body, at) for body in self.employees)

    def customers(self, count: int) -> Iterator[Entity]:
        """`count` customers; every PROJECT_SHARE-th one is a project under the customer just before it."""
        self.clients, self.projects = [], []
        for n in range(1, count + 1):
            day = self.start + timedelta(days=n * HISTORY_DAYS // (2 * count))
            if n % PROJECT_SHARE == 0 and self.clients:
                fields = doc.project_fields(
                    f"Project {n:05d}",
                    "Scale project",
                    "IN_PROGRESS",
                    n % 10,
                    day,
                    day + timedelta(days=120),
                    n % 100,
                    False,
                )
                body = doc.sub_customer(self.clients[-1], f"Project {n:05d}", is_project=True, project=fields)
                self.projects.append(body)
            else:
                body = doc.customer(f"Scale Customer {n:05d}", email=f"customer{n}@example.com")
                self.clients.append(body)
            yield self.row("Customer", body, self.moment(day))

    def transactions(self, count: int) -> Iterator[Entity]:
        """`count` transactions in date order, mostly charged to projects."""
        for n in range(count):
            day = self.start + timedelta(days=n * HISTORY_DAYS // count)
            type_ = MIX[n % len(MIX)]
            project = (
                self.rng.choice(self.projects) if self.projects and self.rng.randrange(100) < TAGGED_PERCENT else None
            )
            yield self.row(type_, getattr(self, type_.lower())(day, project, n), self.moment(day))

    def _who(self, project: dict | None) -> tuple[dict, dict | None]:
        """The (customer, project) refs a sales document carries: the project's parent and the project."""
        if project is None:
            return doc.ref(self.rng.choice(self.clients)), None
        return project["ParentRef"], doc.ref(project)

    def _sales_lines(self, count: int, cost: bool) -> list[dict]:
        lines = []
        for num in range(1, count + 1):
            item = self.rng.choice(self.services if num % 2 else self.materials)
            qty = self.rng.randint(1, 40)
            lines.append(
                doc.sales_line(num, item, qty, item["UnitPrice"], unit_cost=item["PurchaseCost"] if cost else None)
            )
        return lines

    def invoice(self, day, project, n):
        customer, project_ref = self._who(project)
        return doc.invoice(customer, project_ref, self._sales_lines(self.rng.randint(1, 3), False), day, f"{n + 1}")

    def estimate(self, day, project, n):
        customer, project_ref = self._who(project)
        return doc.estimate(customer, project_ref, self._sales_lines(self.rng.randint(2, 4), True), day, f"E{n + 1}")

    def _expense_lines(self, project: dict | None) -> list[dict]:
        charged = doc.ref(project) if project is not None else None
        item = self.rng.choice(self.materials)
        lines = [
            doc.item_expense_line(
                1, item, self.rng.randint(1, 30), item["PurchaseCost"], customer=charged, project=charged
            )
        ]
        if self.rng.randrange(2):
            amount = Decimal(self.rng.randint(2000, 90000)) / 100
            lines.append(
                doc.account_expense_line(
                    2, self.accounts["expense"], amount, "Site expenses", customer=charged, project=charged
                )
            )
        return lines

    def bill(self, day, project, n):
        return doc.bill(
            self.rng.choice(self.vendors), self.accounts["ap"], self._expense_lines(project), day, f"SB-{n + 1}"
        )

    def purchase(self, day, project, n):
        return doc.purchase(
            self.rng.choice(self.vendors),
            "Vendor",
            self.accounts["bank"],
            "Check",
            self._expense_lines(project),
            day,
            f"{n + 1}",
        )

    def timeactivity(self, day, project, n):
        charged = doc.ref(project) if project is not None else doc.ref(self.rng.choice(self.clients))
        return doc.time_activity(
            self.rng.choice(self.employees),
            charged,
            doc.ref(project) if project else None,
            self.rng.choice(self.services),
            day,
            self.rng.randint(1, 8),
        )


def _insert(rows: Iterator[Entity]) -> int:
    inserted, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            Entity.objects.using("sandbox").bulk_create(batch)
            inserted, batch = inserted + len(batch), []
    Entity.objects.using("sandbox").bulk_create(batch)
    return inserted + len(batch)


def seed_scale(realm: Realm, customers: int = 20000, transactions: int = 100000, *, seed: int = 7) -> dict:
    """Add `customers` customers (one in five a project) and `transactions` transactions to `realm`, plus the
    few accounts, items, vendors and employees they reference. Returns the number of rows added per kind."""
    seeder = ScaleSeeder(realm, seed)
    with transaction.atomic(using="sandbox"):
        names = _insert(seeder.name_lists())
        added_customers = _insert(seeder.customers(customers))
        added_transactions = _insert(seeder.transactions(transactions))
        seeder.ids.save()
    return {"name_lists": names, "customers": added_customers, "transactions": added_transactions}
