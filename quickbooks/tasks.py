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

from . import services, webhooks
from .models import Company, SyncRun, WebhookEvent
from .sync.tasks import outbox_send, outbox_sweep  # noqa: F401 - registers the outbox tasks with the worker

logger = logging.getLogger(__name__)

PULL_SOFT_LIMIT = 45 * 60  # a first pull of a large company pages through 100,000+ rows under Intuit's rate limit
PULL_HARD_LIMIT = 50 * 60
FETCH_SOFT_LIMIT, FETCH_HARD_LIMIT = 100, 120


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120)
def purge_expired_invitations() -> int:
    """Periodic (beat): invitations past their age are removed. Idempotent."""
    return services.invitations_purge_expired()


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def webhook_sweep() -> int:
    """Periodic (beat): fetch again what a webhook named and no fetch took (its message lost)."""
    return webhooks.requeue_unprocessed()


def pull_lock_key(company_id: int) -> str:
    return f"quickbooks:pull-lock:{company_id}"


LOCK_TTL = 120  # seconds: a worker killed mid-pull blocks its company this long at most


def wait_ttl() -> int:
    """How long a waiting task keeps its place: it comes back every QBO_PULL_DEFER_SECONDS, so a place that many
    times over without it means its message was lost, and the next request takes the place."""
    return max(30, int(settings.QBO_PULL_DEFER_SECONDS * 10))


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


ABANDONED = "The worker running this stopped before it finished (it was killed or lost); a later pull carried on."


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
        cache.set(key, waiting, wait_ttl())
    elif not cache.add(key, waiting := uuid.uuid4().hex, wait_ttl()):
        logger.info("%s of company %s: already waiting for the pull lock, covered", what, company_id)
        return
    countdown = settings.QBO_PULL_DEFER_SECONDS * random.uniform(1, 1.5)  # noqa: S311 - jitter, not security
    task.apply_async(args=[company_id, *args], kwargs={**kwargs, "waiting": waiting}, countdown=countdown)
    logger.info("%s of company %s waits %.0f s for the pull lock", what, company_id, countdown)


def _stop_waiting(company_id: int, what: str, waiting: str) -> None:
    """The lock is ours: a request for the same work from now on must wait for this run, not be covered by it.

    Any run of the company's still marked running cannot be (its worker would hold the lock): it died with its
    worker, and says so on the Sync page rather than "running" forever.
    """
    key = waiting_key(company_id, what)
    if waiting and cache.get(key) == waiting:
        cache.delete(key)
    SyncRun.objects.filter(company_id=company_id, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED, finished_at=timezone.now(), error=ABANDONED
    )


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
    """Fetch what webhooks named for the company (`entity`/`qbo_id` is the one that queued this task): the objects
    one by one, or one change pull when more are waiting than that is worth. While a pull holds the company's lock
    the fetch waits and runs after it; one fetch waits per company and covers every webhook arriving meanwhile."""
    what = "webhook fetch"
    with company_pull_lock(company_id) as held:
        if not held:
            _defer(sync_fetch_object, company_id, what, waiting, entity, qbo_id)
            return None
        _stop_waiting(company_id, what, waiting)
        company = _connected(company_id)
        return _fetch_webhooked(company) if company is not None else None


def _fetch_webhooked(company: Company) -> int | None:
    """Every object the company's unprocessed webhook events name, read and ingested; the events marked done once
    their reads succeeded (a failed read leaves them for the sweep). Returns the last SyncRun's id."""
    from .sync import pull

    now = timezone.now()
    pending = WebhookEvent.objects.filter(company=company, processed_at__isnull=True, received_at__lte=now)
    one_by_one = settings.QBO_WEBHOOK_FETCH_ONE_BY_ONE
    targets = list(pending.order_by().values_list("entity", "qbo_id").distinct()[: one_by_one + 1])
    if not targets:
        return None  # another fetch, or a pull, took them already
    runs: list[SyncRun | None]
    if len(targets) > one_by_one:
        runs = [pull.pull_changes(company=company)]  # one CDC request covers them all
    else:
        runs = [pull.pull_one(company=company, entity=entity, qbo_id=qbo_id) for entity, qbo_id in targets]
    if all(run is None or run.status == SyncRun.Status.SUCCEEDED for run in runs):
        pending.update(processed_at=timezone.now())
    done = [run for run in runs if run is not None]
    return done[-1].pk if done else None
