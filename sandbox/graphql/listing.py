"""projectManagementProjects: filters, orderings and Relay cursor pagination over the company's projects.

Every filter of ProjectManagement_ProjectFilter applies (Intuit does not say whether all take effect; the sandbox
chooses to apply all, so a client relying on any of them is tested for real). Cursors are opaque base64 of
"simple-cursor<offset>", like Intuit's samples.
"""

import base64
import binascii

from .errors import project_error
from .projects import guard, node, project_entities

CURSOR_PREFIX = "simple-cursor"


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


def _expression(value, expression: dict, key=lambda value: value) -> bool:
    equals, within, without = _operands(expression, key)
    return (
        (equals is None or value == equals)
        and (within is None or value in within)
        and (without is None or value not in without)
    )


def _between(value, expression: dict) -> bool:
    bounds = expression["between"]
    # Stored and parsed DateTimes share one fixed-width UTC form, so text order is time order.
    return value is not None and bounds["minDate"] <= value <= bounds["maxDate"]


MATCHERS = {
    "id": lambda project, expr: _expression(project["id"], expr, str),
    "status": lambda project, expr: _expression(project["status"], expr),
    "customer": lambda project, expr: _expression(
        (project["customer"] or {}).get("id"), expr, lambda customer: str(customer["id"])
    ),
    "type": lambda project, expr: _expression(project["type"], expr),
    "priority": lambda project, expr: _expression(project["priority"], expr),
    "dueDate": lambda project, expr: _between(project["dueDate"], expr),
    "startDate": lambda project, expr: _between(project["startDate"], expr),
}


def matches(project: dict, project_filter: dict) -> bool:
    # deleted: false (the default) leaves deleted projects out; true includes all projects.
    if project["deleted"] and not project_filter.get("deleted"):
        return False
    # includeRecurringProjects: the sandbox has no recurring projects, so either value lists the same ones.
    return all(
        MATCHERS[name](project, expression)
        for name, expression in project_filter.items()
        if name in MATCHERS and expression is not None
    )


def ordered(projects: list[dict], order_by) -> list[dict]:
    """Ascending id first, then each ordering from the last to the first (stable sorts); no due date sorts last."""
    projects = sorted(projects, key=lambda project: int(project["id"]))
    for ordering in reversed(order_by or []):
        dated = [project for project in projects if project["dueDate"] is not None]
        undated = [project for project in projects if project["dueDate"] is None]
        dated.sort(key=lambda project: project["dueDate"], reverse=ordering == "DUE_DATE_DESC")
        projects = dated + undated
    return projects


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


def connection(projects: list[dict], first: int, after: str | None) -> dict:
    start = decode_cursor(after) + 1 if after else 0
    edges = [
        {"cursor": encode_cursor(start + index), "node": project}
        for index, project in enumerate(projects[start : start + first])
    ]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": start + first < len(projects),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def resolve_projects(_root, info, first, filter, after=None, orderBy=None):
    """projectManagementProjects(first, after, filter, orderBy) - Intuit Projects API "Read Project" (list)."""
    realm = guard(info)
    projects = [node(entity, realm) for entity in project_entities(realm)]
    selected = [project for project in projects if matches(project, filter)]
    return connection(ordered(selected, orderBy), first, after)
