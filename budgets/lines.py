"""A budget's lines as the Budgets API takes them, and the plan of an update: which lines to send, and how.

QuickBooks merges an update's lines by `sequenceId`: a line sent without one (or with one it does not know) becomes a
new line, `deleted: true` removes one, lines left out stay as they are (docs/quickbooks-api.md, Budgets). The API has
no syncToken and no idempotency key. So before every update Costline reads the budget again and compares three
versions of each line: as QuickBooks last sent it (base), as edited here (local), and as QuickBooks has it now
(remote). Only lines changed here are sent; a line changed on both sides, differently, is a conflict for a person.

That read is also what makes a retry safe. If an earlier try's reply was lost, QuickBooks already holds its new
lines: each new local line is matched, by content, to a line QuickBooks has that Costline's copy does not address,
and takes that line's sequenceId instead of being sent again. A retry never adds a line twice.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from quickbooks.sync.documents import number, plain

from .models import BudgetLine

LINE_KEYS = ("type", "itemId", "accountId", "klassId", "locationId", "unitCost", "quantity", "amount", "description")
NUMBER_KEYS = {"unitCost", "quantity", "amount"}
HEADER_KEYS = ("budgetName", "startDate", "endDate", "state")
HEADER_WORDS = {
    "budgetName": "the name",
    "startDate": "the start date",
    "endDate": "the end date",
    "state": "the state",
}


def line_input(line: BudgetLine) -> dict:
    """A line as BusinessPlanning budgetDetails input, without its sequenceId. ITEM is the API's one detail type
    (docs/quickbooks-api.md, Budgets): a line that budgets an account is an ITEM line with an accountId and no item."""
    return {
        "type": "ITEM",
        "itemId": line.item_qbo_id or None,
        "accountId": line.account_qbo_id or None,
        "klassId": line.class_qbo_id or None,
        "locationId": line.location_qbo_id or None,
        "unitCost": plain(line.unit_cost),
        "quantity": plain(line.quantity),
        "amount": plain(line.amount),
        "description": line.description or None,
        "date": line.date.isoformat() if line.date else None,
    }


def content(line: dict | None) -> tuple | None:
    """What a line says, comparable whichever side wrote it (QuickBooks answers 1000.00 where Costline sent 1000)."""
    if line is None:
        return None
    values: list[object] = []
    for key in LINE_KEYS:
        value = line.get(key)
        if key in NUMBER_KEYS:
            found = number(value)
            values.append(None if found is None else found.normalize())
        else:
            values.append("" if value in (None, "") else str(value))
    values.append(str(line.get("date") or "")[:10])
    return tuple(values)


def header_value(document: dict, key: str) -> str:
    value = document.get(key)
    return "" if value in (None, "") else str(value)[:10] if key.endswith("Date") else str(value)


@dataclass
class LocalLine:
    """A line as edited here: its row, the sequenceId it has (blank if never sent) and its input."""

    pk: int
    sequence_id: str
    document: dict
    label: str


@dataclass
class UpdatePlan:
    details: list[dict] = field(default_factory=list)  # the lines to send
    header: dict = field(default_factory=dict)  # the header to send (budgetName is required on every update)
    conflicts: list[str] = field(default_factory=list)  # in words
    matched: dict[int, str] = field(default_factory=dict)  # new local line -> the sequenceId QuickBooks already has
    header_changed: bool = False

    @property
    def sends_anything(self) -> bool:
        return bool(self.details) or self.header_changed


def _describe(line: LocalLine | None, remote: dict | None, sequence_id: str) -> str:
    what = (line.label if line else "") or (remote or {}).get("description") or ""
    return f"line {sequence_id}" + (f" ({what})" if what else "")


def plan_update(*, base: dict, header: dict, lines: list[LocalLine], remote: dict) -> UpdatePlan:
    """What to send so QuickBooks ends up with this edit, keeping what changed there meanwhile."""
    plan = UpdatePlan()
    base_lines = {str(line["sequenceId"]): line for line in base.get("budgetDetails") or []}
    remote_lines = {str(line["sequenceId"]): line for line in remote.get("budgetDetails") or []}
    known = {line.sequence_id: line for line in lines if line.sequence_id}
    new = [line for line in lines if not line.sequence_id]

    # Lines QuickBooks has that this copy does not address: added there, or by an earlier try whose reply was lost.
    unclaimed = [sequence_id for sequence_id in remote_lines if sequence_id not in known]
    for line in new:
        wanted = content(line.document)
        found = next((s for s in unclaimed if content(remote_lines[s]) == wanted), None)
        if found is None:
            plan.details.append(line.document)
        else:
            unclaimed.remove(found)
            plan.matched[line.pk] = found

    for sequence_id in sorted({*base_lines, *known} - set(plan.matched.values()), key=_sequence_order):
        mine, then, now = known.get(sequence_id), base_lines.get(sequence_id), remote_lines.get(sequence_id)
        local = content(mine.document if mine else None)
        if local == content(then) or local == content(now):
            continue  # not changed here, or QuickBooks already says the same: its version stands
        if content(now) != content(then):
            plan.conflicts.append(f"{_describe(mine, now or then, sequence_id)} changed here and in QuickBooks")
        elif mine is None:
            plan.details.append({"sequenceId": sequence_id, "deleted": True})
        else:
            plan.details.append({"sequenceId": sequence_id, **mine.document})

    for key in HEADER_KEYS:
        edited, was, is_now = header_value(header, key), header_value(base, key), header_value(remote, key)
        if edited in (was, is_now):
            plan.header[key] = remote.get(key)
        elif is_now != was:
            plan.conflicts.append(f"{HEADER_WORDS[key]} changed here and in QuickBooks")
        else:
            plan.header[key] = header.get(key)
            plan.header_changed = True
    return plan


def _sequence_order(sequence_id: str) -> tuple[int, str]:
    return (int(sequence_id), "") if sequence_id.isdigit() else (0, sequence_id)


def total_of(lines: list[dict]) -> Decimal:
    return sum((number(line.get("amount")) or Decimal(0) for line in lines), Decimal("0.00"))
