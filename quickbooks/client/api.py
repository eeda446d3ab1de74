"""One QuickBooks client per company connection: REST v3 and GraphQL over one `requests` session.

Every call takes a slot from the shared rate limiter, carries a timeout, and is retried only when
retrying can help (timeouts, dropped connections, 429, 5xx) with capped, jittered exponential backoff
that honours Retry-After. Writes must carry the caller's `requestid`: the same id goes out on every
retry, so a write whose reply was lost is replayed by QuickBooks, never done twice.
https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
"""

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.utils import timezone
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from . import jsonio, tokens
from .endpoints import endpoints
from .errors import GraphQLError, NotEntitledError, QuickBooksError, TransientError, from_fault
from .errors import from_response as error_from_response
from .limiter import Limits, RateLimiter, default_limiter

if TYPE_CHECKING:
    from quickbooks.models import Company, Connection

PAGE_SIZE = 1000  # the query endpoint's maximum
BATCH_SIZE = 30  # Intuit's current batch limit (older docs say 10 or 50; 30 is what every SDK uses now)
MAX_REQUEST_ID = 50
MAX_BATCH_REQUEST_ID = 36


def _wait_for(retry_state: RetryCallState) -> float:
    """Backoff: Retry-After when QuickBooks names a wait, else exponential with jitter; both capped."""
    outcome = retry_state.outcome  # set by tenacity after every attempt, before it asks how long to wait
    error = outcome.exception() if outcome is not None else None
    cap = settings.QBO_RETRY_MAX_WAIT_SECONDS
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        return min(float(retry_after), cap)
    return wait_exponential_jitter(initial=0.5, max=cap, jitter=0.5)(retry_state)


class QuickBooksClient:
    """Talks to one company. Build it with `for_company(company)`; it holds no global state."""

    def __init__(
        self, connection: "Connection", *, limiter: RateLimiter | None = None, session: requests.Session | None = None
    ) -> None:
        self.connection = connection
        self.realm_id = connection.company.realm_id
        self.limiter = limiter or default_limiter()
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "Costline/0.1"})
        self.endpoints = endpoints()
        self.calls = 0  # HTTP requests sent, retries included: sync records and benchmarks read it
        self._token: str | None = None

    @classmethod
    def for_company(cls, company: "Company", **kwargs: Any) -> "QuickBooksClient":
        return cls(company.connection, **kwargs)

    # --- transport -------------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One HTTP exchange under a rate-limit slot, with a fresh token; a 401 refreshes once."""
        for attempt in range(2):
            self._token = self._token or tokens.access_token(self.connection.pk)
            headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self._token}"}
            with self.limiter.slot(self.realm_id):
                self.calls += 1
                try:
                    response = self.session.request(
                        method, url, headers=headers, timeout=settings.QBO_TIMEOUT_SECONDS, **kwargs
                    )
                except requests.RequestException as error:
                    raise TransientError(f"No reply from QuickBooks: {error.__class__.__name__}") from error
            if response.status_code == 401 and attempt == 0:
                self._token = tokens.access_token(self.connection.pk, rejected=self._token)
                kwargs["headers"] = headers
                continue
            return response
        return response

    def _call(self, method: str, url: str, *, retry: bool = True, **kwargs: Any) -> Any:
        """Send with retries for transient failures; return the parsed JSON body or raise a typed error."""
        attempts = settings.QBO_MAX_RETRIES + 1 if retry else 1
        retrying = Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, QuickBooksError) and e.transient),
            wait=_wait_for,
            stop=stop_after_attempt(attempts),
            reraise=True,
        )
        return retrying(self._exchange, method, url, **kwargs)

    def _exchange(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self._send(method, url, **dict(kwargs))
        if response.status_code >= 400:
            raise error_from_response(response)
        body = jsonio.loads_or_none(response.content)
        if body is None:
            raise TransientError("QuickBooks sent a reply that is not JSON", detail=response.text[:200])
        if isinstance(body, dict) and "Fault" in body:  # HTTP 200 can still carry a Fault
            raise from_fault(body["Fault"], status=response.status_code)
        return body

    def _rest_url(self, path: str) -> str:
        return f"{self.endpoints.api_base}/v3/company/{self.realm_id}/{path}"

    def _params(self, **extra: Any) -> dict:
        return {"minorversion": settings.QBO_MINOR_VERSION, **{k: v for k, v in extra.items() if v is not None}}

    @staticmethod
    def _check_request_id(request_id: str, limit: int = MAX_REQUEST_ID) -> str:
        if not request_id or len(request_id) > limit:
            raise ValueError(f"A write needs a requestid of 1 to {limit} characters, owned by the caller.")
        return request_id

    # --- REST: objects -----------------------------------------------------------------------------

    def read(self, entity: str, qbo_id: str) -> dict:
        """Read one object. https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer#read-a-customer"""
        body = self._call("GET", self._rest_url(f"{entity.lower()}/{qbo_id}"), params=self._params())
        return body[entity]

    def create(self, entity: str, document: dict, *, request_id: str) -> dict:
        """Create an object; replayed safely under the same requestid."""
        return self._write(entity, document, request_id=request_id)

    def update(self, entity: str, document: dict, *, request_id: str, sparse: bool = False) -> dict:
        """Full update (omitted fields cleared; Line always replaced) or sparse update. Needs Id and SyncToken."""
        return self._write(entity, {**document, "sparse": sparse}, request_id=request_id)

    def delete(self, entity: str, qbo_id: str, sync_token: str, *, request_id: str) -> dict:
        """Delete a transaction (`?operation=delete`); name lists are deactivated with update instead."""
        return self._write(entity, {"Id": qbo_id, "SyncToken": sync_token}, request_id=request_id, operation="delete")

    def _write(self, entity: str, document: dict, *, request_id: str, operation: str | None = None) -> dict:
        params = self._params(requestid=self._check_request_id(request_id), operation=operation)
        body = self._call(
            "POST",
            self._rest_url(entity.lower()),
            params=params,
            data=jsonio.body(document),
            headers={"Content-Type": "application/json"},
        )
        return body[entity]

    def company_info(self) -> dict:
        """https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/companyinfo"""
        return self.read("CompanyInfo", self.realm_id)

    def server_time(self) -> datetime:
        """QuickBooks' own clock, from a reply's `time`: watermarks must not depend on our clock's drift."""
        body = self._call("GET", self._rest_url(f"companyinfo/{self.realm_id}"), params=self._params())
        return _time(body) or timezone.now()

    def preferences(self) -> dict:
        """https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/preferences"""
        return self._call("GET", self._rest_url("preferences"), params=self._params())["Preferences"]

    # --- REST: query, batch, CDC -------------------------------------------------------------------

    def query(self, statement: str) -> dict:
        """Run one query statement; returns the QueryResponse object. Sent as POST so long WHEREs fit."""
        body = self._call(
            "POST",
            self._rest_url("query"),
            params=self._params(),
            data=statement.encode(),
            headers={"Content-Type": "application/text"},
        )
        return body.get("QueryResponse", {})

    def count(self, entity: str, where: str = "") -> int:
        """SELECT COUNT(*): how many objects match."""
        return int(self.query(_count_statement(entity, where)).get("totalCount", 0))

    def counts(self, wheres: dict[str, str]) -> tuple[dict[str, int], datetime | None]:
        """How many objects match for each entity (entity -> WHERE, "" for all), as COUNT queries 30 to a batch
        request, and QuickBooks' time from the first reply: one request where probing each entity and reading the
        clock took one each. An entity whose item answers with a Fault is left out (its pages are read until a
        short one). docs/quickbooks-api.md, Batch and Queries."""
        counted: dict[str, int] = {}
        clock: datetime | None = None
        names = list(wheres)
        for start in range(0, len(names), BATCH_SIZE):
            items = [
                {"bId": name, "Query": _count_statement(name, wheres[name])}
                for name in names[start : start + BATCH_SIZE]
            ]
            body = self._batch(items, request_id=uuid.uuid4().hex)  # a read: the id only satisfies the endpoint
            clock = clock or _time(body)
            for answer in body.get("BatchItemResponse", []):
                if "QueryResponse" in answer and answer.get("bId") in wheres:
                    counted[answer["bId"]] = int(answer["QueryResponse"].get("totalCount", 0))
        return counted, clock

    def query_pages(
        self, entity: str, where: str = "", *, page_size: int = PAGE_SIZE, total: int | None = None
    ) -> Iterator[list[dict]]:
        """Every matching object, a page at a time, ordered by Id (stable under concurrent inserts). With `total`
        (a COUNT taken just before) no request is spent to learn that an entity is empty or that a full page was the
        last: objects added after the count are the next change pull's, as for any change during a pull."""
        start, read = 1, 0
        clause = f" WHERE {where}" if where else ""
        while total is None or read < total:
            statement = f"SELECT * FROM {entity}{clause} ORDERBY Id STARTPOSITION {start} MAXRESULTS {page_size}"  # noqa: S608
            rows = self.query(statement).get(entity, [])
            if rows:
                yield rows
            if len(rows) < page_size:
                return
            start, read = start + page_size, read + len(rows)

    def batch(self, items: list[dict], *, request_id: str) -> list[dict]:
        """Run items through /batch, 30 per request; each chunk's requestid is derived from the caller's."""
        self._check_request_id(request_id, MAX_BATCH_REQUEST_ID - 4)
        results = []
        for number, start in enumerate(range(0, len(items), BATCH_SIZE)):
            results.extend(self.batch_request(items[start : start + BATCH_SIZE], request_id=f"{request_id}-{number}"))
        return results

    def batch_request(self, items: list[dict], *, request_id: str) -> list[dict]:
        """One /batch request of at most 30 items under exactly `request_id`; each item's answer, by bId.
        https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/batch"""
        if not 0 < len(items) <= BATCH_SIZE:
            raise ValueError(f"A batch request holds 1 to {BATCH_SIZE} items, not {len(items)}.")
        return list(self._batch(items, request_id=request_id).get("BatchItemResponse", []))

    def _batch(self, items: list[dict], *, request_id: str) -> dict:
        self._check_request_id(request_id, MAX_BATCH_REQUEST_ID)
        with self.limiter.slot(f"{self.realm_id}:batch", limits=Limits.for_batches()):
            return self._call(
                "POST",
                self._rest_url("batch"),
                params=self._params(requestid=request_id),
                data=jsonio.body({"BatchItemRequest": items}),
                headers={"Content-Type": "application/json"},
            )

    def cdc(self, entities: list[str], since: datetime) -> tuple[dict[str, list[dict]], datetime | None]:
        """Objects changed since `since` (at most 30 days back), by entity; deletions come as status Deleted. With
        them, QuickBooks' time when it answered (the reply's `time`), as `counts` gives it."""
        params = self._params(entities=",".join(entities), changedSince=since.isoformat(timespec="seconds"))
        body = self._call("GET", self._rest_url("cdc"), params=params)
        changed: dict[str, list[dict]] = {entity: [] for entity in entities}
        for block in body.get("CDCResponse", []):
            for response in block.get("QueryResponse", []):
                for entity in entities:
                    changed[entity].extend(response.get(entity, []))
        return changed, _time(body)

    # --- GraphQL -----------------------------------------------------------------------------------

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        """Run a GraphQL operation (Projects or Budgets API); errors raise GraphQLError or NotEntitledError."""
        body = self._call(
            "POST",
            self.endpoints.graphql,
            data=jsonio.body({"query": query, "variables": variables or {}}),
            headers={"Content-Type": "application/json"},
        )
        if body.get("errors"):
            raise self._graphql_error(body["errors"][0])
        return body.get("data") or {}

    @staticmethod
    def _graphql_error(error: dict) -> QuickBooksError:
        extensions = error.get("extensions") or {}
        code = extensions.get("errorCode") or extensions.get("code") or extensions.get("classification") or ""
        cls = (
            NotEntitledError
            if code in {"PNB-PCBM-008"} or extensions.get("classification") == "AUTHORIZATION"
            else GraphQLError
        )
        return cls(error.get("message", "GraphQL error"), code=str(code), detail=extensions.get("innerMessage", ""))

    def graphql_nodes(self, query: str, variables: dict, path: list[str], *, page_size: int = 100) -> Iterator[dict]:
        """Every node of a Relay connection at `path` in the result, following `after` cursors."""
        after = None
        while True:
            data = self.graphql(query, {**variables, "first": page_size, "after": after})
            for key in path:
                data = data[key]
            yield from (edge["node"] for edge in data.get("edges", []))
            page = data.get("pageInfo", {})
            if not page.get("hasNextPage"):
                return
            after = page["endCursor"]


def _count_statement(entity: str, where: str) -> str:
    # QuickBooks' query language, not SQL: callers quote values with query_literal.
    return f"SELECT COUNT(*) FROM {entity}{f' WHERE {where}' if where else ''}"  # noqa: S608


def _time(body: Any) -> datetime | None:
    """A reply's `time`: QuickBooks' clock when it answered."""
    value = body.get("time") if isinstance(body, dict) else None
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) and value else None


def query_literal(value: str) -> str:
    """A string for the query language: single-quoted, quotes escaped with a backslash."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"
