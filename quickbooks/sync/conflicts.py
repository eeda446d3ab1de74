"""Resolving a conflict: a person picks, field by field, Costline's value or QuickBooks'."""

from dataclasses import dataclass

from django.db import transaction

from ..models import OutboxItem, SyncedObject, SyncState
from . import registry
from .merge import project
from .push import outbox_enqueue


@dataclass
class FieldVersions:
    name: str
    base: object
    local: object
    remote: object

    @property
    def local_changed(self) -> bool:
        return self.local != self.base

    @property
    def remote_changed(self) -> bool:
        return self.remote != self.base

    @property
    def conflicting(self) -> bool:
        return self.local_changed and self.remote_changed and self.local != self.remote


def field_versions(obj: SyncedObject) -> list[FieldVersions]:
    """Every field Costline writes, as last synced, as edited here, and as QuickBooks has it now."""
    entity = registry.pushed_for_model(type(obj))
    local = entity.to_document(obj)
    base, remote = obj.qbo_document or {}, obj.conflict_document or {}
    return [
        FieldVersions(key, project(base.get(key), value), value, project(remote.get(key), value))
        for key, value in local.items()
    ]


def conflict_resolve(*, item: OutboxItem, keep_local: set[str]) -> OutboxItem | None:
    """Take QuickBooks' version except the fields in `keep_local`; those are pushed against its SyncToken."""
    obj = item.target
    if obj is None:  # the view checks first: a conflict whose record is gone counts as resolved
        raise ValueError(f"Outbox item {item.pk}: the record in conflict no longer exists")
    entity = registry.pushed_for_model(type(obj))
    local, remote = entity.to_document(obj), obj.conflict_document
    chosen = {key: local[key] for key in keep_local if key in local}
    with transaction.atomic():
        entity.apply_document(obj, {**remote, **chosen})
        type(obj).objects.filter(pk=obj.pk).update(
            qbo_document=remote,
            sync_token=remote["SyncToken"],
            conflict_document=None,
            sync_state=SyncState.SYNCED,
            sync_error="",
        )
        OutboxItem.objects.filter(pk=item.pk).update(status=OutboxItem.Status.RESOLVED, lease_until=None)
        obj.refresh_from_db()
        if any(project(remote.get(key), value) != value for key, value in chosen.items()):
            return outbox_enqueue(obj=obj, operation=OutboxItem.Operation.UPDATE)
    return None
