"""Change notifications: every create, update and delete in the simulator passes through here.

Webhook delivery (legacy eventNotifications and CloudEvents, signed) is built on `entity_changed`.
"""

import logging

logger = logging.getLogger(__name__)


def entity_changed(entity, operation: str) -> None:
    """Called by `sandbox.store` after each change; `operation` is Create, Update, Delete, Void or Merge."""
    logger.debug("%s %s %s in realm %s", operation, entity.type, entity.qbo_id, entity.realm_id)
