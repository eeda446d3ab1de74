"""Local copies of project budgets (QuickBooks' Budgets GraphQL API), their lines, and the history of each change."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

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

    @property
    def is_baseline(self) -> bool:
        """A locked budget is the project's baseline: only accountants and admins change it (docs/figures.md)."""
        return self.state == self.State.LOCKED

    @property
    def in_quickbooks(self) -> bool:
        return bool(self.qbo_id)


class BudgetLine(models.Model):
    """A budget line, addressed by its sequenceId: item or account, class, location, unit cost x quantity."""

    class Type(models.TextChoices):
        ITEM = "ITEM", "Item"
        ACCOUNT = "ACCOUNT", "Account"

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    sequence_id = models.CharField(max_length=32, blank=True)  # QuickBooks gives it; blank until the line is sent
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
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "sequence_id"], condition=~Q(sequence_id=""), name="budget_line_unique_sequence"
            )
        ]

    def __str__(self):
        return f"Line {self.sequence_id or '(new)'}: {self.amount}"


class BudgetChange(models.Model):
    """One change to a budget, who made it and when, with its lines and total before and after. Kept after the
    budget is deleted: a locked budget is the baseline, and what happened to it is part of the record."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Lines edited"
        IMPORTED = "imported", "Lines imported"
        FROM_ESTIMATE = "from_estimate", "Started from the estimate"
        SENT = "sent", "Sent to QuickBooks"
        LOCKED = "locked", "Locked as the baseline"
        DELETE_REQUESTED = "delete_requested", "Deletion sent to QuickBooks"
        DELETED = "deleted", "Deleted"
        RESOLVED = "resolved", "Conflict resolved"
        ADOPTED = "adopted", "Tracked from QuickBooks"

    company = models.ForeignKey("quickbooks.Company", on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes")
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    budget_name = models.CharField(max_length=500)  # its name then, which outlives a deletion
    action = models.CharField(max_length=20, choices=Action)
    state = models.CharField("state after", max_length=8, blank=True)
    was_baseline = models.BooleanField("changed while locked", default=False)
    total_before = money_field(null=True, blank=True)
    total_after = money_field(null=True, blank=True)
    lines_before = models.JSONField(default=list, blank=True)
    lines_after = models.JSONField(default=list, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["company", "project", "at"], name="budget_change_by_project")]

    def __str__(self):
        return f"{self.budget_name}: {self.get_action_display()}"

    @property
    def sides(self) -> list[tuple[str, list[dict]]]:
        return [("Before", self.lines_before), ("After", self.lines_after)]

    @property
    def difference(self) -> Decimal | None:
        if self.total_before is None or self.total_after is None:
            return None
        return self.total_after - self.total_before


class CostForecast(models.Model):
    """A project manager's estimate of the cost still to come on a project, for one month end, and its review.

    The estimate at completion is the cost to date as of the period end (read from the ledger when the forecast is
    entered, and kept as it was then) plus the cost to complete. A later forecast for the same period supersedes an
    earlier one; every row stays, so the history of each period is kept (docs/figures.md, Cost-to-complete
    forecast)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        REVIEWED = "reviewed", "Reviewed"
        RETURNED = "returned", "Returned"

    company = models.ForeignKey("quickbooks.Company", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cost_forecasts")
    period_end = models.DateField("period end")
    cost_to_complete = money_field("cost to complete")
    cost_to_date = money_field("cost to date at the period end")
    estimated_cost_at_completion = money_field("estimated cost at completion")
    comment = models.TextField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    superseded = False  # a later forecast of the same period exists: set when the history is read

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_to_complete__gte=0), name="cost_forecast_not_negative"),
        ]
        indexes = [
            # reviewed_estimates: a company's reviewed forecasts up to a date; the project's page: its history.
            models.Index(fields=["company", "status", "period_end"], name="cost_forecast_by_status"),
            models.Index(fields=["project", "period_end"], name="cost_forecast_by_project"),
        ]

    def __str__(self):
        return f"Forecast for {self.period_end}: {self.cost_to_complete} to complete"


class CostForecastLine(models.Model):
    """The cost to complete of one budget line, when the forecast is made line by line; the lines add up to the
    forecast's cost to complete. The line is described as it was, whatever becomes of the budget later."""

    forecast = models.ForeignKey(CostForecast, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    label = models.CharField(max_length=1000, blank=True)
    budget_amount = money_field("budget", default=0)
    cost_to_complete = money_field("cost to complete")

    class Meta:
        ordering = ["forecast", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_to_complete__gte=0), name="cost_forecast_line_not_negative"),
        ]

    def __str__(self):
        return f"{self.label or 'Line'}: {self.cost_to_complete} to complete"
