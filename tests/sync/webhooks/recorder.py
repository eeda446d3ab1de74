"""What the code hands to Celery, recorded instead of sent.

The broker is the one thing a unit test cannot reach, so `app.send_task` is swapped for a recorder. The code
sends tasks after commit; tests run inside a transaction that never commits, so they wrap the request in
`django_capture_on_commit_callbacks(execute=True)`, which runs the callbacks as a commit would.
"""

import pytest

from config.celery import app


@pytest.fixture
def sent_tasks(monkeypatch):
    sent = []

    def record(name, args=None, kwargs=None, **options):
        sent.append((name, list(args or []), dict(kwargs or {})))

    monkeypatch.setattr(app, "send_task", record)
    return sent
