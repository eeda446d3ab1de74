"""A QuickBooks project, and the queries that list projects with their figures."""

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.urls import reverse

from quickbooks.models import SyncedObject
from quickbooks.models.fields import MONEY_FIELD, unique_qbo_id

from .ledger import LedgerLine


def sum_per_project(rows, field: str) -> Coalesce:
    """Sum of `field` over `rows` naming the outer project (by QuickBooks id), as a correlated subquery: lists
    of projects carry their figures in the one query that lists them, however many projects there are."""
    # A row without a ProjectRef (a draft, a mis-coded line) belongs to no project, even one not yet in QuickBooks.
    rows = rows.filter(company=OuterRef("company"), project_qbo_id=OuterRef("qbo_id")).exclude(project_qbo_id="")
    summed = rows.order_by().values("project_qbo_id").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(summed, output_field=MONEY_FIELD), Value(0), output_field=MONEY_FIELD)


# Billed margin in SQL, for ordering and filtering: the page's rows take it from their own sums (`WithMargin`).
MARGIN = models.ExpressionWrapper(F("billed_to_date") - F("cost_to_date"), output_field=MONEY_FIELD)


class WithMargin(ModelIterable):
    """Projects of `with_actuals`, each given `gross_margin` from the two sums its row carries: worked out here,
    exactly, rather than by pasting the ledger's subqueries into the SELECT a second time."""

    def __iter__(self):
        for project in super().__iter__():
            project.gross_margin = project.billed_to_date - project.cost_to_date
            yield project


class ProjectQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted=False)

    def with_actuals(self):
        """`cost_to_date` and `billed_to_date` from the ledger, and `gross_margin` (billed less cost).

        Costs are bills, expenses, journal lines to cost accounts and time (at cost rate) less card and vendor
        credits; billed is invoices and sales receipts less credit memos and refunds (docs/figures.md). The
        ledger's normaliser decides each line's kind; purchase orders are commitments, not costs.

        The ledger is read once per figure and project (a correlated sum over its covering index). The margin is
        no third and fourth read: each project fetched works it out from its two sums (`WithMargin`); in SQL it is
        an alias, for ordering by it (sums of it over many projects are the sum billed less the sum of costs).
        """
        ledger = LedgerLine.objects.all()
        projects = self.annotate(
            cost_to_date=sum_per_project(ledger.filter(kind=LedgerLine.Kind.COST), "amount"),
            billed_to_date=sum_per_project(ledger.filter(kind=LedgerLine.Kind.REVENUE), "amount"),
        ).alias(gross_margin=MARGIN)
        projects._iterable_class = WithMargin
        return projects

    def search(self, text: str):
        """Projects whose name or customer's name contains `text` (any case)."""
        text = text.strip()
        return self.filter(Q(name__icontains=text) | Q(customer_name__icontains=text)) if text else self

    def for_dashboard(self, company):
        """The company's projects, pinned first as QuickBooks lists them, with actuals."""
        return self.filter(company=company).live().with_actuals().order_by("-pinned", "name", "pk")


class Project(SyncedObject):
    """A QuickBooks project: a Customer with IsProject true, and (where the plan has the Projects API) its
    project fields. `qbo_id` is the project's Customer Id, which is also its Projects API id."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        BLOCKED = "BLOCKED", "Blocked"
        CANCELED = "CANCELED", "Canceled"
        COMPLETE = "COMPLETE", "Complete"
        OTHER = "OTHER", "Other"

    name = models.CharField(max_length=500)
    fully_qualified_name = models.CharField(max_length=1000, blank=True)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.OTHER)
    priority = models.SmallIntegerField(null=True, blank=True)
    customer_qbo_id = models.CharField("customer QuickBooks id", max_length=32, blank=True)
    customer_name = models.CharField(max_length=500, blank=True)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    completed_date = models.DateField(null=True, blank=True)
    completion_rate = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    pinned = models.BooleanField(default=False)
    email_addresses = models.JSONField(default=list, blank=True)
    addresses = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    deleted = models.BooleanField(default=False)
    # The Projects API's node as last pulled (the Customer document is in qbo_document).
    project_document = models.JSONField(null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [unique_qbo_id("project_unique_qbo_id")]
        indexes = [
            models.Index(fields=["company", "status"], name="project_by_status"),
            models.Index(fields=["company", "customer_qbo_id"], name="project_by_customer"),
        ]

    def __str__(self):
        return self.fully_qualified_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("reports:project-detail", args=[self.company_id, self.pk])
