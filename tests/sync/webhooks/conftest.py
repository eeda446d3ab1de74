from tests.sync.webhooks.recorder import sent_tasks  # noqa: F401 - fixture
