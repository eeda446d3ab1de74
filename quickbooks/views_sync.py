"""The QuickBooks webhook endpoint and the per-company sync status page with its actions."""

import json
import logging

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import webhooks
from .access import company_view
from .models import OutboxItem, Role, WebhookEvent
from .sync import push
from .sync.dispatch import PULL_TASK, send_task_on_commit

logger = logging.getLogger(__name__)

LIST_LIMIT = 20  # rows per list on the status page; counts say how many more there are
REFRESH_SECONDS = 5
WAITING = [OutboxItem.Status.PENDING, OutboxItem.Status.SENDING]


# --- actions shared with the admin --------------------------------------------------------------


def retry_outbox_items(items) -> int:
    """Failed items go back to waiting, due now, and are sent again; returns how many."""
    return push.outbox_retry(items=items)


# --- webhook ------------------------------------------------------------------------------------


@csrf_exempt  # Intuit signs the body instead; there is no session to protect
@require_POST
def webhook(request):
    body = request.body
    if not webhooks.signature_is_valid(body, request.headers.get("intuit-signature")):
        logger.warning("webhook: missing or bad intuit-signature (%s bytes)", len(body))
        return HttpResponse("Bad signature.", status=401, content_type="text/plain")
    try:
        changes = webhooks.parse(json.loads(body))
    except (ValueError, RecursionError, webhooks.MalformedPayload):  # JSON and Unicode errors are ValueErrors
        return HttpResponseBadRequest("Not a QuickBooks webhook payload.", content_type="text/plain")
    with transaction.atomic():
        new = webhooks.record(changes)
    logger.info("webhook: %s change(s), %s new", len(changes), len(new))
    return HttpResponse("OK", content_type="text/plain")


# --- status page --------------------------------------------------------------------------------


@require_GET
@company_view()
def status(request, company):
    runs = _with_display(list(company.sync_runs.all()[:LIST_LIMIT]))
    running = any(run.status == run.Status.RUNNING for run in runs)
    starting = company.is_connected and not runs  # connecting queued the first sync; a worker takes it shortly
    counts = company.outbox.aggregate(
        waiting=Count("pk", filter=Q(status__in=WAITING)),
        failed=Count("pk", filter=Q(status=OutboxItem.Status.FAILED)),
        conflict=Count("pk", filter=Q(status=OutboxItem.Status.CONFLICT)),
    )
    failed = _outbox(company, status=OutboxItem.Status.FAILED)
    context = {
        "company": company,
        "cursors": company.pull_cursors.order_by("entity"),
        "runs": runs,
        "running": running,
        "starting": starting,
        "refresh_seconds": REFRESH_SECONDS if running or starting else None,
        "pushed": _outbox(company, status=OutboxItem.Status.SENT, newest_first=True),
        "outbox_counts": counts,
        "waiting": _outbox(company, status__in=WAITING),
        "failed": failed,
        "failed_more": counts["failed"] - len(failed),
        "conflicts": _outbox(company, status=OutboxItem.Status.CONFLICT),
        "events": WebhookEvent.objects.filter(company=company)[:LIST_LIMIT],
        "can_sync": request.membership.can(Role.ACCOUNTANT),
        "can_full_sync": request.membership.can(Role.ADMIN),
    }
    return render(request, "quickbooks/sync/status.html", context)


def _outbox(company, newest_first=False, **status_filter):
    # One query per list, plus one per kind of object named (the generic prefetch), however many rows.
    items = company.outbox.filter(**status_filter).select_related("content_type").prefetch_related("target")
    order = ("-sent_at", "-id") if newest_first else ("next_attempt_at", "id")
    return list(items.order_by(*order)[:LIST_LIMIT])


def _with_display(runs):
    for run in runs:
        end = run.finished_at or timezone.now()
        run.duration = _duration((end - run.started_at).total_seconds())
        run.count_lines = _count_lines(run.counts)
    return runs


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _counted(number, what: str) -> str:
    return f"{number} {what[:-1] if number == 1 and what.endswith('s') else what}"  # "1 call", "2 calls"


def _count_lines(counts) -> list[str]:
    """{"Invoice": {"pulled": 120, "deleted": 2}} -> ["Invoice: 120 pulled, 2 deleted"]."""
    if not isinstance(counts, dict):
        return []
    lines = []
    for entity, numbers in sorted(counts.items()):
        if isinstance(numbers, dict):
            lines.append(f"{entity}: " + ", ".join(_counted(n, what) for what, n in numbers.items()))
        else:
            lines.append(f"{entity}: {numbers}")
    return lines


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def sync_now(request, company):
    if _connected_or_warn(request, company):
        send_task_on_commit(PULL_TASK, company.pk, full=False)
        messages.success(request, "Sync started: changes in QuickBooks since the last sync are being fetched.")
    return redirect("quickbooks:sync-status", company_id=company.pk)


@require_POST
@company_view(min_role=Role.ADMIN)
def sync_full(request, company):
    if _connected_or_warn(request, company):
        send_task_on_commit(PULL_TASK, company.pk, full=True)
        messages.success(request, "Full re-sync started: every record is being read again from QuickBooks.")
    return redirect("quickbooks:sync-status", company_id=company.pk)


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def outbox_retry(request, company, item_id):
    item = get_object_or_404(company.outbox, pk=item_id)
    if _connected_or_warn(request, company):
        if retry_outbox_items(company.outbox.filter(pk=item.pk)):
            messages.success(request, f"{item.get_operation_display()} {item.entity} will be sent to QuickBooks again.")
        else:
            messages.info(request, "That change is no longer refused: there is nothing to retry.")
    return redirect("quickbooks:sync-status", company_id=company.pk)


def _connected_or_warn(request, company) -> bool:
    if not company.is_connected:
        messages.error(request, f"{company} is not connected to QuickBooks: nothing can sync until it is.")
    return company.is_connected
