import logging
import random
import threading
import uuid
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import services
from .models import Company, WebhookEvent
from .sync.tasks import outbox_send, outbox_sweep  # noqa: F401 - registers the outbox tasks with the worker

logger = logging.getLogger(__name__)

PULL_SOFT_LIMIT = 45 * 60  # a first pull of a large company pages through 100,000+ rows under Intuit's rate limit
PULL_HARD_LIMIT = 50 * 60
FETCH_SOFT_LIMIT, FETCH_HARD_LIMIT = 100, 120


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120)
def purge_expired_invitations() -> int:
    """Periodic (beat): invitations past their age are removed. Idempotent."""
    return services.invitations_purge_expired()


def pull_lock_key(company_id: int) -> str:
    return f"quickbooks:pull-lock:{company_id}"


LOCK_TTL = 120  # seconds: a worker killed mid-pull blocks its company this long at most
WAIT_TTL = 600  # seconds a waiting pull keeps its place without coming back (it comes back every few seconds)


@contextmanager
def company_pull_lock(company_id: int, timeout: int = LOCK_TTL):
    """Yields True when this process holds the company's pull lock, False when another pull holds it.

    `cache.add` is atomic on Redis and the database cache, both shared by every worker. The lock lives a
    short while and a heartbeat renews it while the holder works, so a crashed worker's lock soon lapses.
    """
    key, token = pull_lock_key(company_id), uuid.uuid4().hex
    held = cache.add(key, token, timeout)
    stop = threading.Event()
    if held:
        threading.Thread(target=_keep_alive, args=(key, token, timeout, stop), daemon=True).start()
    try:
        yield held
    finally:
        stop.set()
        if held and cache.get(key) == token:
            cache.delete(key)


def _keep_alive(key: str, token: str, timeout: int, stop: threading.Event) -> None:
    while not stop.wait(timeout / 3):
        if cache.get(key) != token:
            return
        cache.touch(key, timeout)


def _connected(company_id: int) -> Company | None:
    company = Company.objects.filter(pk=company_id).select_related("connection").first()
    return company if company is not None and company.is_connected else None


def waiting_key(company_id: int, what: str) -> str:
    return f"quickbooks:pull-waiting:{company_id}:{'-'.join(what.split())}"


def _defer(task: Any, company_id: int, what: str, waiting: str, *args: Any, **kwargs: Any) -> None:
    """The company's lock is taken: this work runs again once it frees, never dropped (docs/architecture.md, Pull).

    One task waits per company and kind of work (`what`); a second request for the same work while one waits is
    covered by it, since the waiting one starts only after the current holder is done.
    """
    key = waiting_key(company_id, what)
    if waiting and cache.get(key) not in (None, waiting):
        logger.info("%s of company %s: another task waits for the same work", what, company_id)
        return
    if waiting:
        cache.set(key, waiting, WAIT_TTL)
    elif not cache.add(key, waiting := uuid.uuid4().hex, WAIT_TTL):
        logger.info("%s of company %s: already waiting for the pull lock, covered", what, company_id)
        return
    countdown = settings.QBO_PULL_DEFER_SECONDS * random.uniform(1, 1.5)  # noqa: S311 - jitter, not security
    task.apply_async(args=[company_id, *args], kwargs={**kwargs, "waiting": waiting}, countdown=countdown)
    logger.info("%s of company %s waits %.0f s for the pull lock", what, company_id, countdown)


def _stop_waiting(company_id: int, what: str, waiting: str) -> None:
    """The lock is ours: a request for the same work from now on must wait for this run, not be covered by it."""
    key = waiting_key(company_id, what)
    if waiting and cache.get(key) == waiting:
        cache.delete(key)


@shared_task(bind=True, acks_late=True, soft_time_limit=PULL_SOFT_LIMIT, time_limit=PULL_HARD_LIMIT, max_retries=6)
def sync_pull(self: Any, company_id: int, full: bool = False, waiting: str = "") -> int | None:
    """Pull one company (CDC, or whole with `full`); returns the SyncRun id, None when not connected or deferred.

    While another pull or fetch holds the company's lock, the pull waits and runs after it (never skipped). A run that
    QuickBooks cut short (a 429 or 5xx storm outlasting the client's retries) is tried again later with backoff, so a
    storm ends with everything synced rather than waiting for the next beat.
    """
    from .sync import pull

    what = "full pull" if full else "pull"
    with company_pull_lock(company_id) as held:
        if not held:
            _defer(sync_pull, company_id, what, waiting, full=full)
            return None
        _stop_waiting(company_id, what, waiting)
        company = _connected(company_id)
        if company is None:
            logger.info("Pull of company %s skipped: not connected", company_id)
            return None
        run = pull.pull_full(company=company) if full else pull.pull_changes(company=company)
    if getattr(run, "worth_retrying", False) and self.request.retries < self.max_retries:
        raise self.retry(countdown=settings.QBO_PULL_RETRY_SECONDS * 2**self.request.retries)
    return run.pk


@shared_task(acks_late=True, soft_time_limit=FETCH_SOFT_LIMIT, time_limit=FETCH_HARD_LIMIT)
def sync_pull_all_companies() -> int:
    """Periodic (beat): queue a change pull for every connected company; returns how many were queued."""
    ids = list(Company.objects.filter(connection_state=Company.ConnectionState.CONNECTED).values_list("pk", flat=True))
    for company_id in ids:
        sync_pull.delay(company_id)
    return len(ids)


@shared_task(acks_late=True, soft_time_limit=FETCH_SOFT_LIMIT, time_limit=FETCH_HARD_LIMIT)
def sync_fetch_object(company_id: int, entity: str, qbo_id: str, waiting: str = "") -> int | None:
    """Fetch one object a webhook named; while a pull holds the company's lock, the fetch waits and runs after it."""
    from .sync import pull

    what = f"fetch of {entity} {qbo_id}"
    with company_pull_lock(company_id) as held:
        if not held:
            _defer(sync_fetch_object, company_id, what, waiting, entity, qbo_id)
            return None
        _stop_waiting(company_id, what, waiting)
        company = _connected(company_id)
        if company is None:
            return None
        run = pull.pull_one(company=company, entity=entity, qbo_id=qbo_id)
        WebhookEvent.objects.filter(company=company, entity=entity, qbo_id=qbo_id, processed_at__isnull=True).update(
            processed_at=timezone.now()
        )
        return run.pk if run is not None else None
