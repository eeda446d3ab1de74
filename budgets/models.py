"""Local copies of project budgets (QuickBooks' Budgets GraphQL API) and their lines."""

from django.db import models

from projects.models import Project
from quickbooks.models import SyncedObject
from quickbooks.models.fields import money_field, quantity_field, unique_qbo_id


class Budget(SyncedObject):
    """A project budget; `qbo_id` is its budgetId. The API has no list query: Costline re-reads the ids it knows."""

    class State(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        LOCKED = "LOCKED", "Locked"

    name = models.CharField(max_length=500, blank=True)
    budget_type = models.CharField(max_length=20, default="PROJECT")
    project_qbo_id = models.CharField("project QuickBooks id", max_length=32, blank=True)  # linkedEntityId
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="budgets")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State, default=State.LOCKED)
    total = money_field(default=0)
    deleted = models.BooleanField(default=False)
    created_by = models.CharField(max_length=200, blank=True)
    updated_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [unique_qbo_id("budget_unique_qbo_id")]
        indexes = [models.Index(fields=["company", "project_qbo_id"], name="budget_by_project")]

    def __str__(self):
        return self.name or f"Budget {self.qbo_id or self.pk}"


class BudgetLine(models.Model):
    """A budget line, addressed by its sequenceId: item or account, class, location, unit cost x quantity."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    sequence_id = models.CharField(max_length=32)
    order = models.CharField(max_length=32, blank=True)
    line_type = models.CharField(max_length=20, default="ITEM")
    item_qbo_id = models.CharField("item QuickBooks id", max_length=32, blank=True)
    account_qbo_id = models.CharField("account QuickBooks id", max_length=32, blank=True)
    class_qbo_id = models.CharField("class QuickBooks id", max_length=32, blank=True)
    location_qbo_id = models.CharField("location QuickBooks id", max_length=32, blank=True)
    unit_cost = quantity_field(null=True, blank=True)
    quantity = quantity_field(null=True, blank=True)
    amount = money_field(default=0)
    description = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["budget", "id"]
        constraints = [models.UniqueConstraint(fields=["budget", "sequence_id"], name="budget_line_unique_sequence")]

    def __str__(self):
        return f"Line {self.sequence_id}: {self.amount}"
