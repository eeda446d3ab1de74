"""Queueing Celery tasks by name, from anywhere in the app.

Tasks are addressed by name through `celery.current_app`, not imported: a worker may run on another machine, and
no module here needs to import the project's Celery configuration (`config`) to queue work.
"""

from typing import Any

from celery import current_app
from django.db import transaction

PULL_TASK = "quickbooks.tasks.sync_pull"  # one company's pull: change capture, or whole with full=True


def send_task(name: str, *args: Any, **kwargs: Any) -> None:
    """Queue `name` now."""
    current_app.send_task(name, args=list(args), kwargs=kwargs)


def send_task_on_commit(name: str, *args: Any, **kwargs: Any) -> None:
    """Queue `name` once the current transaction commits, so the worker never reads a row not yet committed."""
    transaction.on_commit(lambda: send_task(name, *args, **kwargs))
