"""The entity types the sync engine keeps in step, registered by the apps that own them.

The `quickbooks` app knows nothing of projects, estimates or budgets: each domain app registers what
it mirrors (in its AppConfig.ready) with functions that ingest QuickBooks documents into its models,
and, for what Costline writes, functions that turn a local object into a QuickBooks document.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..models import Company

T = TypeVar("T")
_pass_memo: ContextVar[dict | None] = ContextVar("pass_memo", default=None)


@dataclass(frozen=True)
class GraphQLSource:
    """How to page through an entity served by the GraphQL APIs (a Relay connection)."""

    query: str  # takes $first and $after
    path: tuple[str, ...]  # where the connection sits in `data`
    variables: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PulledEntity:
    """An entity pulled from QuickBooks into local rows."""

    name: str  # Intuit's name: "Customer", "Invoice", "TimeActivity"; GraphQL ones: "Project"
    ingest: Callable  # ingest(company, documents: list[dict]) -> int rows written; one page, in one transaction
    remove: Callable  # remove(company, qbo_ids: list[str]) -> int rows removed (CDC's Deleted stubs)
    order: int = 100  # pull order: name lists before the transactions that name them
    cdc: bool = True  # False where Intuit's CDC does not serve it (TimeActivity): pulled by LastUpdatedTime
    graphql: GraphQLSource | None = None  # set for GraphQL entities (no CDC: re-pulled whole)
    fetch: Callable | None = None  # fetch(client, company) -> list[dict], for entities with no list query (budgets)
    requires: str = ""  # a capability the company must have ("projects_api", "budgets_api", "change_orders")
    known_ids: Callable | None = None  # known_ids(company) -> set[str] of local qbo_ids: lets a whole pull remove
    # what QuickBooks no longer has (deletions CDC could not report); without it a whole pull only upserts

    @property
    def source(self) -> str:
        if self.fetch is not None:
            return "fetch"
        return "graphql" if self.graphql is not None else "rest"


class Conflict(Exception):  # noqa: N818 - it is a state the object enters, not a failure of the code
    """Raised by an entity's `send` when QuickBooks' current version and Costline's edit changed the same thing since
    the last sync (for APIs without a SyncToken, found by reading first). The outbox keeps `remote` for a person to
    choose from, and says `conflicts` in words."""

    def __init__(self, remote: dict, conflicts: list[str]):
        super().__init__(", ".join(conflicts))
        self.remote, self.conflicts = remote, conflicts


@dataclass(frozen=True)
class PushedEntity:
    """An entity Costline writes to QuickBooks through the outbox."""

    name: str  # Intuit's name
    model: type  # the local model (a SyncedObject)
    to_document: Callable  # to_document(obj) -> dict: the writable QuickBooks fields, without Id/SyncToken
    apply_document: Callable  # apply_document(obj, document) -> None: take QuickBooks' version into obj, saved
    send: Callable | None = None  # send(client, obj, document, request_id) -> dict; default: REST create/update
    check: Callable | None = None  # check(obj) -> None or raise ValidationError before a create or update is sent
    removed: Callable | None = None  # removed(obj): QuickBooks confirmed a delete Costline sent; default: keep the row
    id_key: str = "Id"  # where QuickBooks' answer names the object's id ("id" in the Projects API, "budgetId")

    def id_in(self, document: dict) -> str:
        return str(document.get(self.id_key) or "")


_pulled: dict[str, PulledEntity] = {}
_pushed: dict[str, PushedEntity] = {}
_ingest_hooks: dict[str, list[Callable]] = {}


def on_ingest(name: str, hook: Callable) -> None:
    """Also give each ingested page of `name` to `hook(company, documents)`, in the same transaction.

    How a domain app reads what another mirror owns: projects take the project customers (IsProject)
    from the Customer pages, which is the only way projects arrive on plans without the Projects API.
    """
    _ingest_hooks.setdefault(name, []).append(hook)


def run_ingest_hooks(name: str, company: "Company", documents: list[dict]) -> None:
    for hook in _ingest_hooks.get(name, []):
        hook(company, documents)


def register_pull(entity: PulledEntity) -> None:
    _pulled[entity.name] = entity


def register_push(entity: PushedEntity) -> None:
    _pushed[entity.name] = entity


def pulled(capabilities: dict | None = None) -> list[PulledEntity]:
    """Every pulled entity in pull order; with `capabilities`, only what the company's plan serves."""
    entities = sorted(_pulled.values(), key=lambda e: (e.order, e.name))
    if capabilities is None:
        return entities
    return [e for e in entities if not e.requires or capabilities.get(e.requires)]


def pulled_entity(name: str) -> PulledEntity:
    return _pulled[name]


def pushed_entity(name: str) -> PushedEntity:
    return _pushed[name]


def pushed_for_model(model: type) -> PushedEntity:
    return next(e for e in _pushed.values() if e.model is model)


def names(entities: Iterable[PulledEntity]) -> list[str]:
    return [e.name for e in entities]


@contextmanager
def entity_pass() -> Iterator[None]:
    """One entity's pages in a pull: what its ingest looks up in other tables (the company's projects, say) is read
    once for the pass through `memoised`, not once a page; a first pull has a hundred pages and thousands of
    projects. The pull engine opens one pass per entity, after the entities its ingest reads are in."""
    token = _pass_memo.set({})
    try:
        yield
    finally:
        _pass_memo.reset(token)


def memoised(key: Any, compute: Callable[[], T]) -> T:
    """compute(), kept for the rest of the current entity pass; outside a pass (a push, a test), computed each time."""
    memo = _pass_memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
