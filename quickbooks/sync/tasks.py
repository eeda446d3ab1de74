"""Outbox tasks. Named under quickbooks.tasks, where callers (views, beat) address them."""

from celery import shared_task

from . import batch, push


@shared_task(name="quickbooks.tasks.outbox_send", acks_late=True, soft_time_limit=240, time_limit=300)
def outbox_send(item_id: int) -> str:
    """Send one outbox item, with its company's other ready items in batches of up to 30 where they batch; a
    duplicate message finds them claimed or sent and does nothing."""
    return batch.outbox_send(item_id=item_id)


@shared_task(name="quickbooks.tasks.outbox_sweep", acks_late=True, soft_time_limit=50, time_limit=60)
def outbox_sweep() -> int:
    """Beat: re-drive items whose lease ran out or whose message was lost."""
    return push.outbox_sweep()
