from .connection import Connection
from .references import ReferenceQuerySet, ReferenceRecord
from .sync import OutboxAttempt, OutboxItem, PullCursor, SyncedObject, SyncRun, SyncState, WebhookEvent
from .tenancy import (
    Company,
    CompanyQuerySet,
    Invitation,
    InvitationQuerySet,
    Membership,
    Role,
    _new_token,  # noqa: F401 - named by migration 0001
)

__all__ = [
    "Company",
    "CompanyQuerySet",
    "Connection",
    "Invitation",
    "InvitationQuerySet",
    "Membership",
    "OutboxAttempt",
    "OutboxItem",
    "PullCursor",
    "ReferenceQuerySet",
    "ReferenceRecord",
    "Role",
    "SyncRun",
    "SyncState",
    "SyncedObject",
    "WebhookEvent",
]
