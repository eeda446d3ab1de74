"""Change notifications: every create, update and delete in the simulator passes through here.

Each change is remembered (the last few hundred, for /_sandbox/state) and handed to the webhook
dispatcher once the sandbox transaction commits, so a rolled-back write notifies nobody.
"""

import logging
import threading
from collections import deque
from functools import partial

from django.db import transaction

from .webhooks import Change, dispatcher

logger = logging.getLogger(__name__)
_recent: deque = deque(maxlen=200)
_recent_lock = threading.Lock()


def entity_changed(entity, operation: str) -> None:
    """Called by `sandbox.store` after each change; `operation` is Create, Update, Delete, Void or Merge."""
    change = Change(
        realm_id=entity.realm.realm_id,
        name=entity.type,
        id=str(entity.qbo_id),
        operation=operation,
        at=entity.updated_at,
    )
    logger.debug("%s %s %s in realm %s", operation, change.name, change.id, change.realm_id)
    transaction.on_commit(partial(_committed, change), using="sandbox")


def _committed(change) -> None:
    with _recent_lock:
        _recent.append(change)
    dispatcher.submit(change)


def recent_changes() -> list:
    """The latest committed changes, oldest first."""
    with _recent_lock:
        return list(_recent)


def forget() -> None:
    with _recent_lock:
        _recent.clear()
