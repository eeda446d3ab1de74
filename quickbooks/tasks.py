from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120)
def purge_expired_invitations() -> int:
    """Periodic (beat): invitations past their age are removed. Idempotent."""
    return services.invitations_purge_expired()
