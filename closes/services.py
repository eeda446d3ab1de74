"""Closing a period's WIP, reopening it, and what changed since (docs/architecture.md, Closes).

- `wip_close` stores the WIP schedule of every live project as of the period end, as the WIP page shows it unfiltered,
  with who closed it and when, and what its figures were made of (the ledger transactions and the signed documents
  counted), so a reopening can say what moved them.
- `wip_reopen` marks a close reopened, with who, when and why; its figures stay as they were.
- `changes_since` sets the stored WIP beside the WIP worked out now for the same period end, project by project and
  figure by figure, with the transactions and documents that moved them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from budgets.models import Budget, CostForecast
from changeorders.models import ChangeOrder
from projects.models import Estimate, LedgerLine, Project
from projects.templatetags.money import money
from quickbooks.models import Membership, Role
from reports import wip
from reports.exports import PERCENT, Column, Table, dated_name

from .models import WipClose

ZERO = Decimal("0.00")
MAX_REASON = 2000
# The figures of a row that are words, not numbers; every other figure is a Decimal or None.
WORDS = ("project_id", "project", "customer", "status", "estimate_source", "flags")
KINDS = {attribute: kind for _, attribute, kind, _ in wip.EXPORT_COLUMNS}
LABELS = {attribute: label for label, attribute, _, _ in wip.EXPORT_COLUMNS} | {
    "net_over_under": "Net over/under billing"
}
COMPARED = [attribute for _, attribute, _, _ in wip.EXPORT_COLUMNS if attribute not in ("project", "customer")]
LEDGER_KINDS = (LedgerLine.Kind.COST, LedgerLine.Kind.REVENUE)
KIND_WORDS = {LedgerLine.Kind.COST: "cost", LedgerLine.Kind.REVENUE: "billed"}


def current_schedule(company, period_end: date) -> wip.Schedule:
    """The WIP of every live project as of `period_end`, as the WIP page works it out with no filter: the latest
    reviewed forecasts, else the revised budgets (docs/figures.md, The WIP schedule)."""
    projects = wip.WipFilter(None, company=company).projects
    return wip.company_schedule(company, projects, period_end)


# ---- what the figures were made of ----


def _sources(company, period_end: date, schedule: wip.Schedule) -> dict:
    """Per project QuickBooks id: the ledger transactions dated up to the period end (one entry a transaction and
    kind, amounts summed) and the signed documents and budgets counted. Three grouped queries and two plain ones."""
    ids = dict(Project.objects.filter(pk__in=[row.project_id for row in schedule.rows]).values_list("pk", "qbo_id"))
    listed = {qbo_id for qbo_id in ids.values() if qbo_id}
    ledger: dict[str, list] = defaultdict(list)
    lines = (
        LedgerLine.objects.filter(
            company=company, txn_date__lte=period_end, kind__in=LEDGER_KINDS, project_qbo_id__in=listed
        )
        .order_by()
        .values("project_qbo_id", "txn_type", "txn_qbo_id", "kind")
        .annotate(amount=Sum("amount"), token=Max("txn_sync_token"), number=Max("doc_number"), dated=Max("txn_date"))
        .order_by("project_qbo_id", "dated", "txn_type", "txn_qbo_id", "kind")
    )
    for line in lines:
        ledger[line["project_qbo_id"]].append(
            [
                line["txn_type"],
                line["txn_qbo_id"],
                line["token"] or "",
                line["number"] or "",
                line["dated"].isoformat() if line["dated"] else "",
                line["kind"],
                line["amount"] or ZERO,
            ]
        )
    documents: dict[str, list] = defaultdict(list)
    signed = wip.accepted_by(period_end)
    for noun, model, figures in (
        ("Estimate", Estimate, ("booked_subtotal",)),
        ("Change order", ChangeOrder, ("booked_subtotal", "booked_cost")),
    ):
        rows = model.objects.signed().filter(signed, company=company, project_qbo_id__in=listed)
        for found in rows.order_by("project_qbo_id", "pk").values(
            "project_qbo_id", "qbo_id", "sync_token", "doc_number", *figures
        ):
            contract = found["booked_subtotal"] or ZERO
            cost = found.get("booked_cost") or ZERO
            documents[found["project_qbo_id"]].append(
                [noun, found["qbo_id"], found["sync_token"], found["doc_number"], contract, cost]
            )
    for budget in (
        Budget.objects.filter(company=company, deleted=False, project_qbo_id__in=listed)
        .order_by("project_qbo_id", "pk")
        .values("project_qbo_id", "qbo_id", "sync_token", "name", "total")
    ):
        documents[budget["project_qbo_id"]].append(
            ["Budget", budget["qbo_id"], budget["sync_token"], budget["name"], ZERO, budget["total"] or ZERO]
        )
    return {"projects": {str(pk): qbo_id for pk, qbo_id in ids.items()}, "ledger": ledger, "documents": documents}


# ---- closing and reopening ----


def _refuse_unless_accountant(by: Membership) -> None:
    if not by.can(Role.ACCOUNTANT):
        raise PermissionDenied("Closing and reopening a period's WIP needs the accountant role.")


def wip_close(company, period_end: date, by: Membership) -> WipClose:
    """Store the company's WIP as of `period_end` as it stands now. A period already closed is refused in words:
    reopen it first."""
    _refuse_unless_accountant(by)
    if period_end > timezone.localdate():
        raise ValidationError(f"{period_end:%d %B %Y} has not ended yet: a period is closed once it is over.")
    with transaction.atomic():
        already = WipClose.objects.closed().filter(company=company, period_end=period_end).first()
        if already is not None:
            raise ValidationError(_already_closed(already))
        schedule = current_schedule(company, period_end)
        totals = {**schedule.totals, "net_over_under": schedule.net_over_under}
        try:
            with transaction.atomic():
                return WipClose.objects.create(
                    company=company,
                    period_end=period_end,
                    closed_by=by.user,
                    closed_at=timezone.now(),
                    rows=[row.figures() for row in schedule.rows],
                    totals=totals,
                    sources=_sources(company, period_end, schedule),
                )
        except IntegrityError:  # another accountant closed it in the same moment
            already = WipClose.objects.closed().get(company=company, period_end=period_end)
            raise ValidationError(_already_closed(already)) from None


def _already_closed(close: WipClose) -> str:
    who, when = close.closed_by or "someone no longer here", timezone.localtime(close.closed_at)
    return (
        f"The WIP as of {close.period_end:%d %B %Y} is already closed: by {who} on {when:%d %B %Y at %H:%M}. "
        "Reopen it, with the reason, to close the period again."
    )


def wip_reopen(close: WipClose, by: Membership, reason: str) -> WipClose:
    """Mark `close` reopened, with who, when and why (a reason is required); its figures stay as they were."""
    _refuse_unless_accountant(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the period is reopened: the reason is kept with the close.")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"The reason is {len(reason)} characters long; {MAX_REASON} at most.")
    with transaction.atomic():
        current = WipClose.objects.select_for_update().get(pk=close.pk)
        if not current.is_closed:
            raise ValidationError(f"This close was already reopened by {current.reopened_by or 'someone'}.")
        current.state = WipClose.State.REOPENED
        current.reopened_by = by.user
        current.reopened_at = timezone.now()
        current.reopen_reason = reason
        current.save(update_fields=["state", "reopened_by", "reopened_at", "reopen_reason"])
    return current


# ---- reading a close ----


def revived(figures: dict) -> dict:
    """A stored row or totals with every number a Decimal again (JSON keeps 100.00 as it is, but 100 as a whole
    number)."""
    return {
        name: value if name in WORDS or value is None or isinstance(value, list) else Decimal(str(value))
        for name, value in figures.items()
    }


def stored_rows(close: WipClose) -> list[SimpleNamespace]:
    """The close's rows as the WIP page's rows read: `row.earned`, `row.flags`, ..."""
    return [SimpleNamespace(**revived(row)) for row in close.rows]


def stored_table(close: WipClose) -> Table:
    """The stored figures in the WIP export's columns and totals row (reports.wip.table's layout)."""
    rows, totals = stored_rows(close), revived(close.totals)
    first = f"Total, {len(rows)} project{'' if len(rows) == 1 else 's'}"
    total_row = [first, "", ""] + [
        totals.get(attribute) if attribute in wip.TOTALLED else None for _, attribute, _, _ in wip.EXPORT_COLUMNS[3:]
    ]
    return Table(
        name=dated_name(close.company.name, f"wip-{close.period_end:%Y-%m-%d}-closed"),
        sheet=f"WIP {close.period_end:%Y-%m-%d} closed",
        columns=[Column(header, kind, width) for header, _, kind, width in wip.EXPORT_COLUMNS],
        rows=[[getattr(row, attribute, None) for _, attribute, _, _ in wip.EXPORT_COLUMNS] for row in rows],
        totals=total_row,
    )


# ---- what changed since ----


@dataclass
class FigureChange:
    name: str
    label: str
    stored: object
    now: object

    def _shown(self, value) -> str:
        if value is None:
            return "—"
        if not isinstance(value, Decimal):
            return str(value) or "—"
        return f"{value}%" if KINDS.get(self.name) == PERCENT else money(value)

    @property
    def stored_text(self) -> str:
        return self._shown(self.stored)

    @property
    def now_text(self) -> str:
        return self._shown(self.now)

    @property
    def difference_text(self) -> str:
        difference = self.difference
        if difference is None:
            return ""
        return self._shown(difference) if KINDS.get(self.name) != PERCENT else f"{difference:+} points"

    @property
    def difference(self) -> Decimal | None:
        if isinstance(self.stored, Decimal) and isinstance(self.now, Decimal):
            return self.now - self.stored
        if self.stored is None and isinstance(self.now, Decimal):
            return self.now
        if self.now is None and isinstance(self.stored, Decimal):
            return -self.stored
        return None


@dataclass
class Cause:
    """A transaction or document that moved a project's figures since the close, in words."""

    what: str  # "Bill 1042, 20 Jan 2026"
    change: str  # "not in the close", "gone since the close", "changed"
    figure: str  # "cost", "billed", "contract", "budget"
    stored: Decimal | None
    now: Decimal | None
    updated_at: object = None  # when QuickBooks last changed it, where Costline knows

    @property
    def difference(self) -> Decimal:
        return (self.now or ZERO) - (self.stored or ZERO)


@dataclass
class ProjectChange:
    project_id: int
    project: str
    change: str  # "changed", "added", "removed"
    figures: list[FigureChange] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)


@dataclass
class Comparison:
    close: WipClose
    projects: list[ProjectChange]
    totals: list[FigureChange]
    now: wip.Schedule

    @property
    def unchanged(self) -> bool:
        return not self.projects and not self.totals


def _differences(stored: dict, now: dict, names) -> list[FigureChange]:
    found = []
    for name in names:
        before, after = stored.get(name), now.get(name)
        if before != after:
            found.append(FigureChange(name, LABELS.get(name, name.replace("_", " ").capitalize()), before, after))
    return found


def _ledger_causes(stored: list, now: list) -> list[Cause]:
    def keyed(entries):
        return {(e[0], e[1], e[5]): e for e in entries}

    before, after = keyed(stored), keyed(now)
    causes = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: ((before.get(k) or after[k])[4], k)):
        old, new = before.get(key), after.get(key)
        entry = new or old
        txn_type, _, _, number, dated, kind, _ = entry
        when = f", {date.fromisoformat(dated):%d %b %Y}" if dated else ""
        what = f"{txn_type} {number or entry[1]}{when}"
        old_amount = None if old is None else Decimal(str(old[6]))
        new_amount = None if new is None else Decimal(str(new[6]))
        if old is None:
            change = "not in the close: entered, changed or dated into the period since"
        elif new is None:
            change = "in the close, gone since: deleted, dated after the period end or moved to another project"
        elif old_amount != new_amount:
            change = "changed in QuickBooks since the close" if old[2] != new[2] else "amount changed"
        else:
            continue
        causes.append(Cause(what, change, KIND_WORDS.get(kind, kind), old_amount, new_amount))
    return causes


def _document_causes(stored: list, now: list, updated: dict) -> list[Cause]:
    def keyed(entries):
        return {(e[0], e[1]): e for e in entries}

    before, after = keyed(stored), keyed(now)
    causes = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        entry = new or old
        noun, qbo_id, _, label, _, _ = entry
        what = f"{noun} {label or qbo_id}"
        figure, index = ("budget", 5) if noun == "Budget" else ("contract", 4)
        pairs = [(figure, index)] + ([("change order cost", 5)] if noun == "Change order" else [])
        for words, i in pairs:
            old_amount = None if old is None else Decimal(str(old[i]))
            new_amount = None if new is None else Decimal(str(new[i]))
            if old is None:
                change = "signed or added since the close" if noun != "Budget" else "added since the close"
            elif new is None:
                change = "counted in the close, not now (deleted, or no longer signed)"
            elif old_amount != new_amount:
                change = "changed in QuickBooks since the close"
            else:
                continue
            if words == "change order cost" and not (old_amount or new_amount):
                continue
            causes.append(Cause(what, change, words, old_amount, new_amount, updated.get(key)))
    return causes


def _updated_after(company, close: WipClose) -> dict:
    """(noun, QuickBooks id) -> when QuickBooks changed it, for the documents and budgets changed after the close."""
    found = {}
    for noun, model in (("Estimate", Estimate), ("Change order", ChangeOrder), ("Budget", Budget)):
        rows = model.objects.filter(company=company, qbo_updated_at__gt=close.closed_at)
        for qbo_id, updated_at in rows.values_list("qbo_id", "qbo_updated_at"):
            found[(noun, qbo_id)] = updated_at
    return found


def _forecasts_reviewed_after(company, close: WipClose) -> dict[int, list[Cause]]:
    """Per project pk: the cost-to-complete forecasts for a period up to the close's, reviewed after it."""
    found: dict[int, list[Cause]] = defaultdict(list)
    reviewed = CostForecast.objects.filter(
        company=company,
        status=CostForecast.Status.REVIEWED,
        period_end__lte=close.period_end,
        reviewed_at__gt=close.closed_at,
    ).order_by("reviewed_at", "pk")
    for forecast in reviewed.values("project_id", "period_end", "estimated_cost_at_completion", "reviewed_at"):
        found[forecast["project_id"]].append(
            Cause(
                f"Cost-to-complete forecast for {forecast['period_end']:%d %b %Y}",
                "reviewed since the close",
                "estimated cost at completion",
                None,
                forecast["estimated_cost_at_completion"],
                forecast["reviewed_at"],
            )
        )
    return found


def changes_since(close: WipClose) -> Comparison:
    """The stored WIP beside the WIP worked out now for the same period end: per project each figure that differs
    (stored, now, difference), the projects added or gone, and the transactions and documents that moved them."""
    company = close.company
    now = current_schedule(company, close.period_end)
    sources = close.sources or {}
    now_sources = _sources(company, close.period_end, now)
    updated = _updated_after(company, close)
    forecasts = _forecasts_reviewed_after(company, close)
    stored_by_id = {row["project_id"]: revived(row) for row in close.rows}
    now_by_id = {row.project_id: row.figures() for row in now.rows}
    stored_keys = sources.get("projects", {})
    now_keys = now_sources["projects"]
    projects = []
    for project_id in [*stored_by_id, *(pk for pk in now_by_id if pk not in stored_by_id)]:
        before, after = stored_by_id.get(project_id), now_by_id.get(project_id)
        if before is None or after is None:
            if after is not None:
                projects.append(ProjectChange(project_id, after["project"], "added: not in the close"))
            elif before is not None:
                projects.append(ProjectChange(project_id, before["project"], "removed: deleted or no longer listed"))
            continue
        figures = _differences(before, after, COMPARED)
        if before.get("flags") != after.get("flags"):
            figures.append(FigureChange("flags", "Notes", ", ".join(before["flags"]), ", ".join(after["flags"])))
        if not figures:
            continue
        key_then = stored_keys.get(str(project_id), "")
        key_now = now_keys.get(str(project_id), "")
        causes = _ledger_causes(
            sources.get("ledger", {}).get(key_then, []), now_sources["ledger"].get(key_now, [])
        ) + _document_causes(
            sources.get("documents", {}).get(key_then, []), now_sources["documents"].get(key_now, []), updated
        )
        for cause in forecasts.get(project_id, []):
            cause.stored = before.get("forecast")
            causes.append(cause)
        projects.append(ProjectChange(project_id, after["project"], "changed", figures, causes))
    now_totals = {**now.totals, "net_over_under": now.net_over_under}
    totals = _differences(revived(close.totals), now_totals, [*wip.TOTALLED, "net_over_under"])
    return Comparison(close=close, projects=projects, totals=totals, now=now)


# ---- the history ----


def closed_periods(company) -> list[WipClose]:
    """The closes that stand (not reopened), oldest period first: what the profit fade reads."""
    return list(WipClose.objects.closed().filter(company=company).order_by("period_end"))
