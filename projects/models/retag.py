"""A re-tag: put ProjectRef on a transaction's mis-coded lines in QuickBooks, sent through the push outbox."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from quickbooks.models import SyncedObject
from quickbooks.models.fields import money_field


class RetagRequest(SyncedObject):
    """One transaction whose lines (charged through CustomerRef only) are to carry ProjectRef = `project_qbo_id`.

    `qbo_id` is the transaction's QuickBooks id; `qbo_document` and `sync_token` hold the transaction as QuickBooks
    answered the re-tag. `sync_state` says where it is (waiting, sent, refused with `sync_error`).
    """

    txn_type = models.CharField(max_length=20)
    doc_number = models.CharField(max_length=21, blank=True)
    line_ids = models.JSONField(default=list)  # the ledger's line ids ("" for a header-level row)
    project_qbo_id = models.CharField("project QuickBooks id", max_length=32)
    project_name = models.CharField(max_length=1000, blank=True)
    amount = money_field(default=0)  # the lines' total, as the preview showed it
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["company", "txn_type", "qbo_id"], name="retag_by_txn")]

    def __str__(self):
        return f"Re-tag {self.txn_type} {self.doc_number or self.qbo_id} to project {self.project_qbo_id}"
