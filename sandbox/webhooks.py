"""Webhook delivery as Intuit does it (docs/quickbooks-api.md, Webhooks): signed POSTs, legacy or CloudEvents bodies.

Changes arrive from `sandbox.events` after their transaction commits. A single background thread
gathers them for a short window (Intuit aggregates too), builds one notification per endpoint,
records it as a WebhookDelivery and POSTs it with a 3-second timeout, retrying on a short schedule.
API replies never wait for any of this.
"""

import base64
import hashlib
import heapq
import hmac
import itertools
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from django.db import close_old_connections
from django.utils import timezone

from . import codec
from .models import WebhookDelivery, WebhookEndpoint
from .oauth.conf import conf
from .timefmt import COMPANY_TZ

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3  # Intuit expects a 200 within 3 seconds
CLOUDEVENTS_TYPE = "application/cloudevents+json"
LEGACY_TYPE = "application/json; charset=utf-8"
VERBS = {"Create": "created", "Update": "updated", "Delete": "deleted", "Merge": "merged", "Void": "voided"}


@dataclass(frozen=True)
class Change:
    """One create/update/delete, as a notification names it."""

    realm_id: str
    name: str  # Intuit's entity name, e.g. "Customer"
    id: str
    operation: str  # Create, Update, Delete, Merge, Void
    at: datetime


def retry_schedule() -> list[float]:
    """Seconds to wait before each retry. Intuit's begins 10 s, 20 s, 30 s, then 5 min...; tests shorten it."""
    raw = os.environ.get("QBO_SANDBOX_WEBHOOK_RETRY_SECONDS", "10,20,30")
    return [float(part) for part in raw.split(",") if part.strip()]


def batch_window() -> float:
    """Seconds changes are gathered into one notification (sandbox events arrive "near real time")."""
    return float(os.environ.get("QBO_SANDBOX_WEBHOOK_BATCH_SECONDS", "0.3"))


def sign(body: bytes, verifier_token: str) -> str:
    """Intuit's `intuit-signature`: base64(HMAC-SHA256(key=verifier token, message=raw body))."""
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


# --- payloads -----------------------------------------------------------------------------------


def legacy_payload(changes: list[Change]) -> dict:
    """`eventNotifications`, one element per realm, entities in the order they changed."""
    by_realm: dict[str, list] = {}
    for change in changes:
        by_realm.setdefault(change.realm_id, []).append(
            {
                "name": change.name,
                "id": change.id,
                "operation": change.operation,
                # Intuit's sample writes the offset without a colon: 2015-10-05T14:42:19-0700
                "lastUpdated": change.at.astimezone(COMPANY_TZ).strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
        )
    return {
        "eventNotifications": [
            {"realmId": realm_id, "dataChangeEvent": {"entities": entities}} for realm_id, entities in by_realm.items()
        ]
    }


def event_source() -> str:
    # Intuit's sample source is "intuit." + 44 base64 characters, the size of a SHA-256 digest.
    return "intuit." + base64.b64encode(hashlib.sha256(conf().client_id.encode()).digest()).decode()


def cloudevents_payload(changes: list[Change]) -> list[dict]:
    """A JSON array of CloudEvents 1.0, one per change; `data` stays empty as in Intuit's sample."""
    return [
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": event_source(),
            "type": f"qbo.{change.name.lower()}.{VERBS.get(change.operation, change.operation.lower())}.v1",
            "datacontenttype": "application/json",
            "time": change.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "intuitentityid": change.id,
            "intuitaccountid": change.realm_id,
            "data": {},
        }
        for change in changes
    ]


def payload_for(endpoint: WebhookEndpoint, changes: list[Change]):
    if endpoint.format == WebhookEndpoint.Format.CLOUDEVENTS:
        return cloudevents_payload(changes)
    return legacy_payload(changes)


# --- deliveries ---------------------------------------------------------------------------------


def record_deliveries(changes: list[Change]) -> list[int]:
    """One signed WebhookDelivery per active endpoint; the body is fixed now so retries resend it verbatim."""
    ids = []
    for endpoint in WebhookEndpoint.objects.filter(active=True).order_by("id"):
        body = codec.dumps(payload_for(endpoint, changes))
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, body=body, signature=sign(body.encode(), endpoint.verifier_token)
        )
        ids.append(delivery.pk)
    return ids


def _headers(delivery: WebhookDelivery) -> dict:
    cloudevents = delivery.endpoint.format == WebhookEndpoint.Format.CLOUDEVENTS
    headers = {
        "Content-Type": CLOUDEVENTS_TYPE if cloudevents else LEGACY_TYPE,
        "intuit-signature": delivery.signature,
        "intuit-created-time": timezone.now().astimezone(UTC).isoformat(timespec="milliseconds"),
        "intuit-t-id": str(uuid.uuid4()),
        "User-Agent": "intuit_notification_server/0.1",
    }
    if not cloudevents:
        headers["intuit-notification-schema-version"] = "0.1"
    return headers


def attempt(delivery_id: int) -> bool:
    """POST the delivery once and record the outcome; True when the endpoint answered 2xx."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    status, error = None, ""
    try:
        reply = requests.post(
            delivery.endpoint.url, data=delivery.body.encode(), headers=_headers(delivery), timeout=TIMEOUT_SECONDS
        )
        status = reply.status_code
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"
    ok = status is not None and 200 <= status < 300
    if status is not None and not ok:
        error = f"HTTP {status}"
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=delivery.attempts + 1, status_code=status, error=error, delivered_at=timezone.now() if ok else None
    )
    return ok


class Dispatcher:
    """One daemon thread: gathers changes for `batch_window()`, then sends and retries deliveries."""

    def __init__(self):
        self._cond = threading.Condition()
        self._pending: list[Change] = []
        self._flush_at: float | None = None
        self._retries: list[tuple[float, int, int, int]] = []  # (due, seq, delivery id, retries done)
        self._seq = itertools.count()
        self._busy = False
        self._thread: threading.Thread | None = None

    def submit(self, change: Change) -> None:
        with self._cond:
            if not self._pending:
                self._flush_at = time.monotonic() + batch_window()
            self._pending.append(change)
            self._ensure_thread()
            self._cond.notify()

    def wait_idle(self, timeout: float = 10) -> bool:
        """Block until nothing is gathered, running or waiting to be retried (tests; reset)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy or self._retries:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def clear(self) -> None:
        """Forget gathered changes and scheduled retries (the sandbox was reset)."""
        with self._cond:
            self._pending.clear()
            self._retries.clear()
            self._cond.notify_all()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def _next_job(self):
        """Wait for the next due job: ("flush", changes) or ("retry", (delivery id, retries done))."""
        with self._cond:
            while True:
                now = time.monotonic()
                if self._pending and self._flush_at <= now:
                    changes, self._pending = self._pending, []
                    self._busy = True
                    return "flush", changes
                if self._retries and self._retries[0][0] <= now:
                    _due, _seq, delivery_id, done = heapq.heappop(self._retries)
                    self._busy = True
                    return "retry", (delivery_id, done)
                dues = ([self._flush_at] if self._pending else []) + ([self._retries[0][0]] if self._retries else [])
                self._cond.wait(min(dues) - now if dues else None)

    def _run(self) -> None:
        while True:
            kind, work = self._next_job()
            try:
                if kind == "flush":
                    for delivery_id in record_deliveries(work):
                        self._send(delivery_id, 0)
                else:
                    self._send(*work)
            except Exception:
                logger.exception("webhook delivery failed unexpectedly")
            finally:
                close_old_connections()  # this thread's own database connection
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _send(self, delivery_id: int, retries_done: int) -> None:
        if attempt(delivery_id):
            return
        schedule = retry_schedule()
        if retries_done < len(schedule):
            with self._cond:
                due = time.monotonic() + schedule[retries_done]
                heapq.heappush(self._retries, (due, next(self._seq), delivery_id, retries_done + 1))
                self._cond.notify()
        else:
            logger.warning("webhook delivery %s gave up after %s retries", delivery_id, retries_done)


dispatcher = Dispatcher()
