"""A closed period: the WIP schedule of a company as it stood when an accountant closed the period, kept as it was.

A close never changes its figures (docs/architecture.md, Closes): later bills dated inside the period, an estimate
edited in QuickBooks, a forecast reviewed after the close move the WIP worked out now, never the stored one. Reopening
a close marks it reopened (who, when, why) and leaves its figures as they were; closing the period again stores a new
close beside it, so every close of a period stays in the history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from quickbooks.jsonfield import MoneyJSONField
from quickbooks.models import Company

# What a close keeps as it was: a save or an update that would change one of these is refused.
FROZEN = ("company_id", "period_end", "closed_by_id", "closed_at", "rows", "totals", "sources")
# What a reopening records, once: a reopened close is closed again by a new close, never by changing this one.
REOPENING = ("state", "reopened_by_id", "reopened_at", "reopen_reason")


class ClosedFiguresError(ValidationError):
    """An attempt to change what a close stored."""


class WipCloseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Who closed it may be forgotten (SET_NULL, when the user is deleted); nothing else it stored changes.
        asked = {
            key.removesuffix("_id")
            for key, value in kwargs.items()
            if not (key.startswith("closed_by") and value is None)
        }
        frozen = sorted({name.removesuffix("_id") for name in FROZEN} & asked)
        if frozen:
            raise ClosedFiguresError(f"A closed WIP keeps what it stored; {', '.join(frozen)} cannot be changed.")
        return super().update(**kwargs)

    def closed(self):
        return self.filter(state=WipClose.State.CLOSED)


class WipClose(models.Model):
    """One close of one period end: every project's WIP row and the totals, as the WIP page showed them."""

    class State(models.TextChoices):
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    period_end = models.DateField()
    state = models.CharField(max_length=10, choices=State, default=State.CLOSED)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_at = models.DateTimeField()
    # Each project's figures (reports.wip.WipRow.figures()) and the totals; money kept exact (MoneyJSONField).
    rows = MoneyJSONField(default=list, blank=True)
    totals = MoneyJSONField(default=dict, blank=True)
    # What the figures were made of, to say what moved them since: per project QuickBooks id, the ledger
    # transactions counted (type, id, SyncToken, number, date, kind, amount) and the signed documents and budgets.
    sources = MoneyJSONField(default=dict, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    objects = WipCloseQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-closed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "period_end"], condition=Q(state="closed"), name="wip_close_one_closed_per_period"
            )
        ]
        indexes = [models.Index(fields=["company", "period_end"], name="wip_close_by_period")]

    def __str__(self):
        return f"WIP as of {self.period_end} ({self.get_state_display().lower()})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = WipClose.objects.filter(pk=self.pk).values(*FROZEN, *REOPENING).first()
            if stored is not None:
                changed = [
                    name
                    for name in FROZEN
                    if stored[name] != getattr(self, name)
                    and not (name == "closed_by_id" and self.closed_by_id is None)
                ]
                if changed:
                    names = ", ".join(name.removesuffix("_id") for name in changed)
                    raise ClosedFiguresError(f"A closed WIP keeps what it stored; {names} cannot be changed.")
                if stored["state"] == self.State.REOPENED and any(
                    stored[name] != getattr(self, name) for name in REOPENING
                ):
                    raise ClosedFiguresError("A reopening is kept as it was: close the period again instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ClosedFiguresError("A closed WIP is kept: reopen it instead, and close the period again.")

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED


class WipAccounts(models.Model):
    """The accounts a company books its WIP adjustment to, chosen once (QuickBooks account ids, from its chart)."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="wip_accounts")
    revenue_qbo_id = models.CharField("contract revenue account", max_length=32)
    under_billing_qbo_id = models.CharField("costs and estimated earnings in excess of billings (asset)", max_length=32)
    over_billing_qbo_id = models.CharField(
        "billings in excess of costs and estimated earnings (liability)", max_length=32
    )
    loss_expense_qbo_id = models.CharField("provision for losses, expense", max_length=32, blank=True)
    loss_provision_qbo_id = models.CharField("provision for losses, liability", max_length=32, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"WIP accounts of {self.company}"
