"""projectManagementProjects: filters, orderings and Relay cursor pagination over the company's projects.

Every filter of ProjectManagement_ProjectFilter applies (Intuit does not say whether all take effect; the sandbox
chooses to apply all, so a client relying on any of them is tested for real). Cursors are opaque base64 of
"simple-cursor<offset>", like Intuit's samples.

Filters, ordering and paging run in SQL on the project columns `sandbox.store` copies out of each project
Customer (`Entity.is_project`, `project_*`), so a page costs the same few queries and decodes only its own nodes
however many projects the company has. The rules are those of filtering every project's node in Python, which
the sandbox did before: `equals`/`in`/`nin` compare with ==, a missing value is in no list and outside every
date range, ids compare as text, ties and projects without a due date go by ascending id.
"""

import base64
import binascii

from django.db.models import F, Q, QuerySet

from sandbox.models import Entity

from .errors import project_error
from .projects import guard, node

CURSOR_PREFIX = "simple-cursor"
LARGEST_OFFSET = 2**62  # past this an OFFSET/LIMIT no longer fits the database's integers: count instead


def _operands(expression: dict, key=lambda value: value):
    """The (equals, in, nin) of an expression; null operands count as not given."""
    equals = expression.get("equals")
    within = expression.get("in")
    without = expression.get("nin")
    return (
        None if equals is None else key(equals),
        None if within is None else [key(value) for value in within],
        None if without is None else [key(value) for value in without],
    )


def _expression(column: str, expression: dict, key=lambda value: value) -> Q:
    """equals, in and nin on `column`; a NULL column is in no list, so it passes `nin` (Django adds IS NULL)."""
    equals, within, without = _operands(expression, key)
    condition = Q()
    if equals is not None:
        condition &= Q(**{f"{column}__in": [equals]})
    if within is not None:
        condition &= Q(**{f"{column}__in": within})
    if without is not None:
        condition &= ~Q(**{f"{column}__in": without})
    return condition


def _id_expression(expression: dict) -> Q:
    """Ids compare as text: "7" is project 7, "007" is none (the stored Id is the number written plainly)."""
    equals, within, without = _operands(expression, str)
    condition = Q()
    for values, negate in ((None if equals is None else [equals], False), (within, False), (without, True)):
        if values is not None:
            ids = Q(qbo_id__in=[int(value) for value in values if _plain_number(value)])
            condition &= ~ids if negate else ids
    return condition


def _plain_number(text: str) -> bool:
    try:
        return str(int(text)) == text
    except ValueError:
        return False


def _between(column: str, expression: dict) -> Q:
    bounds = expression["between"]
    # Stored and parsed DateTimes share one fixed-width UTC form, so text order is time order.
    return Q(**{f"{column}__gte": bounds["minDate"], f"{column}__lte": bounds["maxDate"]})


FILTERS = {
    "id": _id_expression,
    "status": lambda expr: _expression("project_status", expr),
    "customer": lambda expr: _expression("project_customer", expr, lambda customer: str(customer["id"])),
    "type": lambda expr: _expression("project_type", expr),
    "priority": lambda expr: _expression("project_priority", expr),
    "dueDate": lambda expr: _between("project_due", expr),
    "startDate": lambda expr: _between("project_start", expr),
}


def selected(realm, project_filter: dict) -> QuerySet:
    """The company's projects that pass `project_filter`, unordered."""
    rows = Entity.objects.filter(realm=realm, is_project=True, type="Customer", deleted=False)
    # deleted: false (the default) leaves deleted projects out; true includes all projects.
    if not project_filter.get("deleted"):
        rows = rows.filter(project_deleted=False)
    # includeRecurringProjects: the sandbox has no recurring projects, so either value lists the same ones.
    for name, expression in project_filter.items():
        if name in FILTERS and expression is not None:
            rows = rows.filter(FILTERS[name](expression))
    return rows


def ordered(rows: QuerySet, order_by) -> QuerySet:
    """Each ordering in turn, projects without a due date last, then ascending id."""
    due = F("project_due")
    orderings = [
        due.desc(nulls_last=True) if ordering == "DUE_DATE_DESC" else due.asc(nulls_last=True)
        for ordering in order_by or []
    ]
    return rows.order_by(*orderings, "qbo_id")


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if text.startswith(CURSOR_PREFIX):
            return int(text.removeprefix(CURSOR_PREFIX))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise project_error("INVALID_CURSOR", f"Invalid cursor: {cursor}")


def page(rows: QuerySet, start: int, first: int) -> tuple[list[Entity], bool]:
    """The rows a Python slice `[start : start + first]` of the whole list would give, and whether any follow.

    One query reads one row more than the page to learn whether another page follows. An offset from the end
    (a negative cursor) or one too large for SQL counts the rows first and slices as Python would.
    """
    if 0 <= start and start + first < LARGEST_OFFSET:
        found = list(rows[start : start + first + 1])
        return found[:first], len(found) > first
    total = rows.count()
    window = range(total)[start : start + first]
    return (list(rows[window.start : window.stop]) if window else []), start + first < total


def connection(realm, rows: QuerySet, first: int, after: str | None) -> dict:
    start = decode_cursor(after) + 1 if after else 0
    entities, has_next = page(rows, start, first)
    edges = [
        {"cursor": encode_cursor(start + index), "node": node(entity, realm)} for index, entity in enumerate(entities)
    ]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def resolve_projects(_root, info, first, filter, after=None, orderBy=None):
    """projectManagementProjects(first, after, filter, orderBy) - Intuit Projects API "Read Project" (list)."""
    realm = guard(info)
    return connection(realm, ordered(selected(realm, filter), orderBy), first, after)
