"""The pull side of the sync engine: QuickBooks into local rows, through the entity registry only.

A full pull reads every registered entity whole (REST in 1000-row pages, GraphQL connections, fetch functions);
later pulls ask Change Data Capture what changed since each entity's watermark. Each page is ingested in one
transaction; every run leaves a `SyncRun` (progress, counts, API calls, the error in plain words).
docs/architecture.md, Pull.
"""

import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from ..client import NotFoundError, QuickBooksClient, QuickBooksError, jsonio
from ..client.api import PAGE_SIZE
from ..models import Company, PullCursor, SyncRun
from . import registry
from .registry import PulledEntity

logger = logging.getLogger(__name__)

CDC_MAX_OBJECTS = 1000  # Intuit answers at most this many objects per CDC request, across all its entities
CDC_MAX_ENTITIES = 30  # entities named in one CDC request
CDC_LOOK_BACK = timedelta(days=30) - timedelta(minutes=5)  # Intuit's 30 days, less a margin for clock skew
GRAPHQL_PAGE = 100
# Intuit's name lists: queries show only active entries unless they ask about Active.
NAME_LISTS = frozenset(
    {
        "Customer",
        "Vendor",
        "Employee",
        "Item",
        "Account",
        "Class",
        "Department",
        "Term",
        "TaxCode",
        "TaxRate",
        "PaymentMethod",
    }
)


def _client(company: Company, client: QuickBooksClient | None) -> QuickBooksClient:
    return client or QuickBooksClient.for_company(company)


def overlap() -> timedelta:
    return timedelta(seconds=getattr(settings, "QBO_CDC_OVERLAP_SECONDS", 300))


# --- runs ------------------------------------------------------------------------------------------------


def _start(company: Company, kind: str, entities: list[PulledEntity]) -> SyncRun:
    return SyncRun.objects.create(company=company, kind=kind, entities_total=len(entities))


PROGRESS_EVERY = 1.0  # seconds between a run's progress saves within an entity: what the status page shows


def _save_progress(run: SyncRun, client: QuickBooksClient, first_call: int, *, unless_recent: bool = False) -> None:
    """Record the run's progress; `unless_recent` (after a page) skips it when it was saved under a second ago,
    so a first pull's hundred pages do not each write and commit it."""
    now = time.monotonic()
    if unless_recent and now - getattr(run, "progress_saved_at", float("-inf")) < PROGRESS_EVERY:
        return
    run.progress_saved_at = now
    run.api_calls = client.calls - first_call
    run.save(update_fields=["current_entity", "entities_done", "counts", "api_calls"])


@contextmanager
def _recording(run: SyncRun, client: QuickBooksClient) -> Iterator[None]:
    """Run the body; end the run succeeded, or failed with QuickBooks' error in plain words (not re-raised)."""
    run.first_call = client.calls
    try:
        yield
    except QuickBooksError as error:
        logger.warning("Pull %s of company %s failed at %s: %s", run.pk, run.company_id, run.current_entity, error)
        run.worth_retrying = error.transient  # read by the task, which tries again later
        _finish(run, client, SyncRun.Status.FAILED, _failure(run, error))
        return
    except BaseException:
        _finish(run, client, SyncRun.Status.FAILED, "The pull stopped unexpectedly; it will be tried again.")
        raise
    _finish(run, client, SyncRun.Status.SUCCEEDED, "")


def _failure(run: SyncRun, error: QuickBooksError) -> str:
    where = f" while reading {run.current_entity}" if run.current_entity else ""
    if error.transient:
        return (
            f"QuickBooks did not answer properly{where} ({error.message}), even after retrying. "
            "What was read before is kept; the next pull carries on."
        )
    return f"{error.user_message.rstrip('.')}{where}."


def _finish(run: SyncRun, client: QuickBooksClient, status: str, error: str) -> None:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.api_calls = client.calls - run.first_call
    run.save(update_fields=["status", "error", "finished_at", "api_calls", "current_entity", "entities_done", "counts"])


def _count(run: SyncRun, name: str, **added: int) -> None:
    tally = run.counts.setdefault(name, {"pulled": 0, "written": 0, "removed": 0})
    for key, value in added.items():
        tally[key] = tally.get(key, 0) + value


def _cursor(company: Company, name: str, watermark: datetime, *, whole: bool, rows: int) -> None:
    """One UPDATE for a cursor that exists (every pull but a company's first); update_or_create makes a new one."""
    now = timezone.now()
    defaults = {"watermark": watermark, "last_pull_at": now, "rows": rows}
    if whole:
        defaults["last_full_pull_at"] = now
    if not PullCursor.objects.filter(company=company, entity=name).update(**defaults):
        PullCursor.objects.update_or_create(company=company, entity=name, defaults=defaults)


# --- reading -------------------------------------------------------------------------------------------


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _where(entity: PulledEntity, condition: str = "") -> str:
    clauses = [condition] if condition else []
    if entity.name in NAME_LISTS:
        clauses.append("Active IN (true, false)")  # inactive entries too: transactions still name them
    return " AND ".join(clauses)


def _pages(
    client: QuickBooksClient, company: Company, entity: PulledEntity, condition: str = "", total: int | None = None
) -> Iterator[list[dict]]:
    """The entity's documents a page at a time, from whichever source serves it."""
    if entity.fetch is not None:  # "fetch": the app's own function, which may read its tables: kept on this thread
        yield from _chunks(entity.fetch(client, company), PAGE_SIZE)
    elif entity.graphql is not None:  # "graphql"
        source = entity.graphql
        nodes = client.graphql_nodes(source.query, dict(source.variables), list(source.path), page_size=GRAPHQL_PAGE)
        # Ingested a thousand nodes at a time, as REST pages are: each ingest's queries cost the same for 100 nodes
        # as for 1,000, and the Projects API's pages hold at most 100.
        yield from _prefetched(_chunks(nodes, PAGE_SIZE))
    else:
        pages = client.query_pages(entity.name, _where(entity, condition), page_size=PAGE_SIZE, total=total)
        yield from _prefetched(pages)


def _prefetched(pages: Iterator[list[dict]]) -> Iterator[list[dict]]:
    """Pages read one ahead on a thread, so QuickBooks' time and the ingest overlap; errors arrive in page order."""
    ahead: queue.Queue = queue.Queue(maxsize=1)  # one page ahead: memory stays bounded
    stop = threading.Event()
    reader = threading.Thread(target=_read_ahead, args=(pages, ahead, stop), name="qbo-pull-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            kind, value = ahead.get()
            if kind == "error":
                raise value
            if kind == "done":
                return
            yield value
    finally:
        stop.set()  # the consumer stopped (done, failed or timed out): the reader ends after its current request
        reader.join(timeout=settings.QBO_TIMEOUT_SECONDS + 5)


def _read_ahead(pages: Iterator[list[dict]], ahead: queue.Queue, stop: threading.Event) -> None:
    try:
        for page in pages:
            if not _offer(ahead, ("page", page), stop):
                return
        _offer(ahead, ("done", None), stop)
    except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it in its own thread
        _offer(ahead, ("error", error), stop)
    finally:
        connections.close_all()  # this thread's own connections (a token refresh reads the database)


def _offer(ahead: queue.Queue, item: tuple, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            ahead.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _ids(documents: Iterable[dict]) -> set[str]:
    return {str(d.get("Id", d.get("id"))) for d in documents}


def _ingest(run: SyncRun, client: QuickBooksClient, entity: PulledEntity, page: list[dict]) -> int:
    written = entity.ingest(run.company, page) if page else 0
    _count(run, entity.name, pulled=len(page), written=written)
    _save_progress(run, client, run.first_call, unless_recent=True)
    return written


def _remove(run: SyncRun, entity: PulledEntity, qbo_ids: Iterable[str]) -> None:
    qbo_ids = sorted(qbo_ids)
    if qbo_ids:
        _count(run, entity.name, removed=entity.remove(run.company, qbo_ids))


@contextmanager
def _entity(run: SyncRun, client: QuickBooksClient, entity: PulledEntity) -> Iterator[None]:
    """One entity's part of a run: its progress recorded before and after, its pages ingested in one entity pass
    (what the ingest reads of other tables is read once for it; registry.entity_pass)."""
    run.current_entity, run.entity_first_call = entity.name, client.calls
    _count(run, entity.name)
    _save_progress(run, client, run.first_call)
    with registry.entity_pass():
        yield
    _count(run, run.current_entity, calls=client.calls - run.entity_first_call)  # CDC's shared requests not included
    run.entities_done += 1
    _save_progress(run, client, run.first_call)


def _pull_whole(
    run: SyncRun, client: QuickBooksClient, entity: PulledEntity, watermark: datetime, total: int | None = None
) -> None:
    """Every object of the entity; local ones QuickBooks no longer has are removed when the entity can list them.
    `total`: how many QuickBooks counted, when it was asked (REST entities in a full pull)."""
    with _entity(run, client, entity):
        # What was here before the pages came: those not among them QuickBooks no longer has. Read before, not
        # after: an object another writer stores meanwhile is not taken for one QuickBooks dropped, and a first
        # pull reads an empty table, not the hundred thousand rows it has just written.
        known = entity.known_ids(run.company) if entity.known_ids is not None else None
        seen: set[str] = set()
        for page in _pages(client, run.company, entity, total=total):
            _ingest(run, client, entity, page)
            seen |= _ids(page)
        if known is not None:
            _remove(run, entity, known - seen)
        _cursor(run.company, entity.name, watermark, whole=True, rows=len(seen))


# --- full pull -----------------------------------------------------------------------------------------


def _counts(client: QuickBooksClient, entities: list[PulledEntity]) -> tuple[dict[str, int], datetime | None]:
    """The REST entities' counts and QuickBooks' time; none when QuickBooks refuses the batch itself (each entity is
    then read until a short page, as without counts), so the counts can only spare requests, never fail a pull."""
    try:
        return client.counts({e.name: _where(e) for e in entities if e.source == "rest"})
    except QuickBooksError as error:
        if error.transient:
            raise  # already retried: QuickBooks is not answering, the pages would fail the same way
        logger.warning("Counting before a full pull of company %s failed: %s", client.realm_id, error)
        return {}, None


def pull_full(*, company: Company, client: QuickBooksClient | None = None) -> SyncRun:
    """Read every entity the company's plan serves, whole; watermarks are QuickBooks' time when it started."""
    client = _client(company, client)
    entities = registry.pulled(company.connection.capabilities)
    run = _start(company, SyncRun.Kind.FULL_PULL, entities)
    with _recording(run, client), jsonio.replies_frozen():
        # One batch request counts every REST entity and reads QuickBooks' clock, before the first page: the
        # counts spare a request per empty entity and per empty last page, and whatever changes after the clock
        # read is the next change pull's (with the overlap).
        totals, started = _counts(client, entities)
        started = started or client.server_time()
        for entity in entities:
            _pull_whole(run, client, entity, started, totals.get(entity.name))
    return run


# --- incremental pull ----------------------------------------------------------------------------------


def _stale(cursor: PullCursor | None, now: datetime) -> bool:
    """No watermark, or one CDC can no longer reach (with the overlap taken off)."""
    return cursor is None or cursor.watermark is None or cursor.watermark - overlap() < now - CDC_LOOK_BACK


def _watermark(cursor: PullCursor) -> datetime:
    """The watermark of a cursor `_stale` passed: pull_changes reads an entity without one whole instead."""
    if cursor.watermark is None:
        raise ValueError(f"{cursor.entity} has no watermark: it must be pulled whole")
    return cursor.watermark


def pull_changes(*, company: Company, client: QuickBooksClient | None = None) -> SyncRun:
    """What changed since each entity's watermark (less the overlap); a full pull when no watermark is usable."""
    client = _client(company, client)
    entities = registry.pulled(company.connection.capabilities)
    cursors = {c.entity: c for c in PullCursor.objects.filter(company=company)}
    stale = {e.name for e in entities if _stale(cursors.get(e.name), timezone.now())}
    if stale and len(stale) == len(entities):
        return pull_full(company=company, client=client)
    run = _start(company, SyncRun.Kind.INCREMENTAL_PULL, entities)
    with _recording(run, client), jsonio.replies_frozen():
        by_cdc = [e for e in entities if e.source == "rest" and e.cdc and e.name not in stale]
        changes, overflow, answered_at = _cdc_changes(client, by_cdc, cursors)
        # The new watermark is QuickBooks' clock: CDC's first reply carries it, so no request goes to read it. What
        # changed while CDC answered is older than that time, and the next pull's overlap reads it again.
        started = answered_at or client.server_time()
        quiet = _advance_quiet(run, client, [e for e in by_cdc if e.name in changes and not changes[e.name]], started)
        for entity in entities:
            if entity.name in quiet:
                continue
            if entity.name in changes:
                _apply_cdc(run, client, entity, changes[entity.name], started)
            elif entity.name in stale or entity.name in overflow or entity.source != "rest":
                _pull_whole(run, client, entity, started)  # GraphQL and fetch entities are small: read whole
            else:
                _pull_updated(run, client, entity, cursors[entity.name], started)
    return run


def _advance_quiet(run: SyncRun, client: QuickBooksClient, entities: list[PulledEntity], watermark: datetime) -> set:
    """Entities CDC answered no change for: nothing to ingest or remove, so their watermarks move on together in one
    UPDATE and the run counts them done in one save. Most entities of most companies, most rounds: a round's
    bookkeeping per company stays a few queries however many entities are registered. Their names."""
    names = [entity.name for entity in entities]
    if not names:
        return set()
    PullCursor.objects.filter(company=run.company, entity__in=names).update(
        watermark=watermark, last_pull_at=timezone.now(), rows=0
    )
    for name in names:
        _count(run, name, calls=0)  # CDC's shared request is the run's, not theirs
    run.entities_done += len(names)
    _save_progress(run, client, run.first_call)
    return set(names)


def _cdc_changes(
    client: QuickBooksClient, entities: list[PulledEntity], cursors: dict[str, PullCursor]
) -> tuple[dict[str, list], set[str], datetime | None]:
    """CDC answers for `entities`, 30 to a request; the names whose changes overflowed CDC's 1000 objects; the time
    of QuickBooks' first answer (None without a request, or a reply without `time`)."""
    changes, overflow, first = {}, set(), None
    for group in _chunks(entities, CDC_MAX_ENTITIES):
        since = min(_watermark(cursors[e.name]) for e in group) - overlap()
        answered, spilled, answered_at = _cdc_window(client, [e.name for e in group], since)
        changes.update(answered)
        overflow |= spilled
        first = first or answered_at
    return changes, overflow, first


def _cdc_window(
    client: QuickBooksClient, names: list[str], since: datetime
) -> tuple[dict[str, list], set[str], datetime | None]:
    """One CDC request; a full answer (1000 objects) may be cut short, so the entity list is halved and re-asked.

    CDC takes only a start time, so the window cannot be cut in time; an entity that alone has 1000 changes
    in it comes back in `spilled` and is re-read whole (with removal of what QuickBooks no longer has).
    """
    answer, answered_at = client.cdc(names, since)
    if sum(len(docs) for docs in answer.values()) < CDC_MAX_OBJECTS:
        return answer, set(), answered_at
    if len(names) == 1:
        return {}, set(names), answered_at
    half = len(names) // 2
    first, first_spilled, _ = _cdc_window(client, names[:half], since)
    second, second_spilled, _ = _cdc_window(client, names[half:], since)
    return {**first, **second}, first_spilled | second_spilled, answered_at


def _apply_cdc(
    run: SyncRun, client: QuickBooksClient, entity: PulledEntity, documents: list[dict], watermark: datetime
) -> None:
    with _entity(run, client, entity):
        latest = {str(d["Id"]): d for d in documents}  # one version per object, the last CDC listed
        gone = {qbo_id for qbo_id, d in latest.items() if d.get("status") == "Deleted"}
        live = [d for qbo_id, d in latest.items() if qbo_id not in gone]
        for page in _chunks(live, PAGE_SIZE):
            _ingest(run, client, entity, page)
        _remove(run, entity, gone)
        _cursor(run.company, entity.name, watermark, whole=False, rows=len(latest))


def _pull_updated(
    run: SyncRun, client: QuickBooksClient, entity: PulledEntity, cursor: PullCursor, watermark: datetime
) -> None:
    """Entities CDC does not serve (TaxCode, TimeActivity): a query on MetaData.LastUpdatedTime."""
    with _entity(run, client, entity):
        since = (_watermark(cursor) - overlap()).isoformat(timespec="seconds")
        rows = 0
        for page in _pages(client, run.company, entity, f"MetaData.LastUpdatedTime >= '{since}'"):
            _ingest(run, client, entity, page)
            rows += len(page)
        _cursor(run.company, entity.name, watermark, whole=False, rows=rows)


# --- one object ----------------------------------------------------------------------------------------


def pull_one(*, company: Company, entity: str, qbo_id: str, client: QuickBooksClient | None = None) -> SyncRun | None:
    """Fetch one object a webhook named and ingest it, or remove it if QuickBooks no longer has it.

    None when nothing in Costline mirrors that entity for this company.
    """
    pulled = {e.name: e for e in registry.pulled(company.connection.capabilities)}
    if entity not in pulled:
        return None
    client = _client(company, client)
    run = _start(company, SyncRun.Kind.TARGETED_FETCH, [pulled[entity]])
    with _recording(run, client):
        _fetch_one(run, client, pulled[entity], str(qbo_id))
    return run


def _fetch_one(run: SyncRun, client: QuickBooksClient, entity: PulledEntity, qbo_id: str) -> None:
    if entity.source != "rest":  # no REST read for GraphQL and fetch entities; they are small
        _pull_whole(run, client, entity, client.server_time())
        return
    with _entity(run, client, entity):
        try:
            document = client.read(entity.name, qbo_id)
        except NotFoundError:
            _remove(run, entity, [qbo_id])
        else:
            _ingest(run, client, entity, [document])
