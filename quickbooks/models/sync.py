"""What the sync engine keeps: local copies' sync state, pull cursors, runs, the push outbox, webhooks."""

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from ..jsonfield import MoneyJSONField
from .tenancy import Company


class SyncState(models.TextChoices):
    SYNCED = "synced", "Synced"
    PENDING_PUSH = "pending_push", "Waiting to be sent to QuickBooks"
    FAILED = "failed", "QuickBooks refused it"
    CONFLICT = "conflict", "Changed in QuickBooks and here"


# States in which the local row holds something QuickBooks has not taken: a pull must not overwrite it.
LOCAL_CHANGES = (SyncState.PENDING_PUSH, SyncState.FAILED, SyncState.CONFLICT)


class SyncedObject(models.Model):
    """Base of every local copy of a QuickBooks object.

    `qbo_document` is the object exactly as QuickBooks last sent it: the "last synced" side of a conflict
    and the base of a three-way merge. `conflict_document` is QuickBooks' newer version while a conflict
    waits for a person.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    qbo_id = models.CharField("QuickBooks id", max_length=32, blank=True, db_index=True)
    sync_token = models.CharField(max_length=16, blank=True)
    qbo_updated_at = models.DateTimeField("updated in QuickBooks", null=True, blank=True)
    qbo_document = MoneyJSONField(default=dict, blank=True)
    sync_state = models.CharField(max_length=16, choices=SyncState, default=SyncState.SYNCED)
    sync_error = models.TextField(blank=True)
    conflict_document = MoneyJSONField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def has_local_changes(self) -> bool:
        """A pull must not overwrite these (docs/architecture.md, Pull)."""
        return self.sync_state in LOCAL_CHANGES


class PullCursor(models.Model):
    """Per company and entity: how far pulls have got. CDC resumes from `watermark` (QuickBooks' time)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="pull_cursors")
    entity = models.CharField(max_length=40)
    watermark = models.DateTimeField(null=True, blank=True)
    last_full_pull_at = models.DateTimeField(null=True, blank=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)  # rows written by the last pull

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "entity"], name="pull_cursor_unique_entity")]

    def __str__(self):
        return f"{self.entity} of {self.company_id} at {self.watermark}"


class SyncRun(models.Model):
    """One pull or push run: what it did, how many API calls it took, and how it ended."""

    class Kind(models.TextChoices):
        FULL_PULL = "full_pull", "First (full) pull"
        INCREMENTAL_PULL = "incremental_pull", "Change capture"
        TARGETED_FETCH = "targeted_fetch", "Webhook fetch"
        PUSH = "push", "Push"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=20, choices=Kind)
    status = models.CharField(max_length=12, choices=Status, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    entities_total = models.PositiveIntegerField(default=0)
    entities_done = models.PositiveIntegerField(default=0)
    current_entity = models.CharField(max_length=40, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # {"Invoice": {"pulled": 120, "deleted": 2}, ...}
    api_calls = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    # Not fields: set on the instance by the pull while it runs (quickbooks.sync.pull), never stored.
    first_call: int  # the client's call count when the run started
    entity_first_call: int  # ... when the current entity started
    worth_retrying: bool  # the run failed on a transient error (read by the task)
    progress_saved_at: float  # time.monotonic() of its last progress save

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["company", "-started_at"], name="sync_run_by_company")]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.company_id} ({self.status})"

    @property
    def progress_percent(self) -> int:
        return round(100 * self.entities_done / self.entities_total) if self.entities_total else 0


def _request_id() -> str:
    return uuid.uuid4().hex  # 32 characters: inside Intuit's 50 (and batch's 36)


class OutboxItem(models.Model):
    """A local write waiting to reach QuickBooks. Saved in the same transaction as the write itself.

    The `request_id` is fixed here, at creation, and sent as Intuit's `requestid` on every attempt: a retry
    after a lost reply is answered with the first reply, never a second object.
    """

    class Operation(models.TextChoices):
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Refused by QuickBooks"
        CONFLICT = "conflict", "Conflict"
        RESOLVED = "resolved", "Conflict resolved by a person"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="outbox")
    entity = models.CharField(max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    operation = models.CharField(max_length=8, choices=Operation)
    request_id = models.CharField(max_length=50, unique=True, default=_request_id, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A create's document as sent, kept until its reply is taken: how an object pulled before the reply came back
    # is recognised as this create's own (quickbooks/sync/echoes.py).
    sent_document = MoneyJSONField(null=True, blank=True)
    # The requestid of the batch this item first went out in: a lost batch is sent again as it was, under it.
    batch_request_id = models.CharField(max_length=36, blank=True, db_index=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.get_operation_display()} {self.entity} #{self.object_id} ({self.status})"


class OutboxAttempt(models.Model):
    """Every try at sending an outbox item, and how it ended."""

    item = models.ForeignKey(OutboxItem, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)  # sent / retry / failed / conflict / merged
    error_code = models.CharField(max_length=16, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self):
        return f"Attempt on {self.item_id}: {self.outcome or 'running'}"


class WebhookEvent(models.Model):
    """A change QuickBooks told us about. `event_key` makes the same event, delivered twice, count once."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    realm_id = models.CharField(max_length=32)
    event_key = models.CharField(max_length=200, unique=True)
    entity = models.CharField(max_length=40)
    qbo_id = models.CharField(max_length=32)
    operation = models.CharField(max_length=16)
    changed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.operation} {self.entity} {self.qbo_id} in {self.realm_id}"
