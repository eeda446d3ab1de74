"""The admin side of mirrored objects: what the last pull brought from QuickBooks is shown, never edited there.

A row added or changed in the admin would claim to be in QuickBooks and never reach it: mirrors change in
QuickBooks, or through Costline's forms and the outbox, so in the admin they are read-only (staff may view them).
"""

from django.db.models import Model
from django.http import HttpRequest

# Changed in QuickBooks or through Costline's forms and the outbox, never by hand in the admin.
SYNCED_READONLY = [
    "company",
    "qbo_id",
    "sync_token",
    "qbo_updated_at",
    "qbo_document",
    "sync_state",
    "sync_error",
    "conflict_document",
]


class MirrorAdminMixin:
    """For a ModelAdmin or inline of mirrored rows (documents, their lines, the ledger): view only."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class SyncedAdminMixin(MirrorAdminMixin):
    """For a ModelAdmin of a SyncedObject: view only, with the sync fields listed first among the read-only."""

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [*SYNCED_READONLY, *super().get_readonly_fields(request, obj)]  # type: ignore[misc]
