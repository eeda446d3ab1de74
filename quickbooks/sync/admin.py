"""The admin side of mirrored objects: what the last pull brought from QuickBooks is shown, never edited there."""

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


class SyncedAdminMixin:
    """For a ModelAdmin of a SyncedObject: the sync fields, and the admin's own `readonly_fields`, read-only."""

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [*SYNCED_READONLY, *super().get_readonly_fields(request, obj)]  # type: ignore[misc]
