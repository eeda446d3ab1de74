"""Runs a parsed query: indexed fields become SQL (WHERE, ORDER BY, LIMIT/OFFSET), the rest is filtered in Python.

Indexed: Id, MetaData.LastUpdatedTime / CreateTime, TxnDate, Active, and the entity's name field (DisplayName,
Name or DocNumber). A query on those alone reads only the requested page, so 100,000 rows stay fast.
"""

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from .. import store
from ..codec import loads
from ..models import Entity, Realm
from ..timefmt import parse_intuit_time
from . import changeorders, company
from .entities import by_segment
from .faults import query_validation
from .public import public_json
from .query import Condition, Query

ONE_SECOND = timedelta(seconds=1)
TIME_COLUMNS = {"MetaData.LastUpdatedTime": "updated_at", "MetaData.CreateTime": "created_at"}


def _columns(kind) -> dict[str, str]:
    columns = {"Id": "qbo_id", "TxnDate": "txn_date", "Active": "active", **TIME_COLUMNS}
    if kind.name_field in store.NAME_FIELDS:
        columns[kind.name_field] = "name"
    return columns


def run(realm: Realm, query: Query) -> dict:
    """The QueryResponse body for `query` in `realm`."""
    kind = by_segment(query.entity)
    if kind is None:
        raise query_validation(f"Invalid entity name: {query.entity}")
    if kind.advanced_only:
        changeorders.require_entitlement(realm)
    if kind.name in ("CompanyInfo", "Preferences"):
        company.ensure(realm, kind.name)
    columns = _columns(kind)
    rows = Entity.objects.filter(realm=realm, type=kind.name, deleted=False)
    python_conditions = []
    for condition in query.where:
        if condition.field in columns:
            rows = rows.filter(_sql(columns[condition.field], condition))
        else:
            python_conditions.append(condition)
    if kind.name_list and not any(c.field == "Active" for c in query.where):
        rows = rows.filter(active=True)  # name lists show active entries unless the query asks about Active
    sql_order = all(name in columns for name, _ in query.order)
    if not python_conditions and sql_order:
        return _sql_page(kind, rows, query, columns)
    return _python_page(kind, rows, query, python_conditions, columns if sql_order else None)


def _response(kind, query: Query, documents: list | None, total: int | None = None) -> dict:
    """The QueryResponse; `documents` are dicts or stored JSON passed through (`public_json`)."""
    if query.count:
        return {"totalCount": total}
    if not documents:
        return {}
    return {kind.name: documents, "startPosition": query.start, "maxResults": len(documents)}


def _sql_page(kind, rows, query: Query, columns) -> dict:
    if query.count:
        return _response(kind, query, None, rows.count())
    order = [("-" if desc else "") + columns[name] for name, desc in query.order] + ["qbo_id"]
    offset = query.start - 1
    page = rows.order_by(*order).values_list("document_json", flat=True)[offset : offset + query.max_results]
    return _response(kind, query, [public_json(text) for text in page])


def _python_page(kind, rows, query: Query, conditions, columns) -> dict:
    """Filter (and maybe sort) in Python; stops reading once the page is full when SQL already orders the rows."""
    for condition in conditions:
        rows = rows.filter(_prefilter(condition))
    order = [("-" if d else "") + columns[n] for n, d in query.order] + ["qbo_id"] if columns else ["qbo_id"]
    texts = rows.order_by(*order).values_list("document_json", flat=True).iterator(chunk_size=2000)
    wanted = None if query.count or columns is None else query.start - 1 + query.max_results
    found = []  # (document, its stored text): matched on the document, answered from the text
    for text in texts:
        document = loads(text)
        if all(_matches(document, c) for c in conditions):
            found.append((document, text))
            if wanted is not None and len(found) >= wanted:
                break
    if query.count:
        return _response(kind, query, None, len(found))
    if columns is None:
        found = _sorted(found, query.order)
    offset = query.start - 1
    return _response(kind, query, [public_json(text) for _, text in found[offset : offset + query.max_results]])


def _sorted(found: list[tuple[dict, str]], order) -> list[tuple[dict, str]]:
    for name, desc in reversed(order):
        present = [pair for pair in found if _field(pair[0], name) is not None]
        missing = [pair for pair in found if _field(pair[0], name) is None]
        found = sorted(present, key=lambda pair, n=name: _sort_key(_field(pair[0], n)), reverse=desc) + missing
    return found


_PLAIN = re.compile(r"^[A-Za-z0-9 _.,:@&'()/+-]+$")


def _prefilter(condition: Condition) -> Q:
    """A cheap SQL superset for `field = value` / IN: the document must contain the value's JSON text somewhere.

    Text must be plain ASCII (JSON writes it unescaped, in quotes). A non-negative number may be stored quoted
    (a reference's "value") or bare (an amount, `:300.00`), so either form passes. Anything else: no prefilter.
    """
    values = condition.value if condition.op == "IN" else [condition.value]
    needles = [_needles(v) for v in values] if condition.op in ("=", "IN") else [None]
    if any(n is None for n in needles):
        return Q()
    result = Q(pk__in=[])
    for needle in (text for group in needles for text in group):
        result |= Q(document_json__icontains=needle)
    return result


def _needles(value) -> list[str] | None:
    text = str(value)
    if isinstance(value, bool) or not _PLAIN.match(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return [f'"{text}"']
    if not number.is_finite() or number < 0:
        return None
    return [f'"{text}"', f":{int(number)}"]


# --- SQL translation -------------------------------------------------------------------------------------------


def _sql(column: str, condition: Condition) -> Q:
    values = condition.value if condition.op == "IN" else [condition.value]
    if condition.op == "LIKE":
        return _like(column, condition.value)
    if column == "qbo_id":
        return _compare(column, condition.op, [_int(v) for v in values])
    if column in ("updated_at", "created_at"):
        return _time_compare(column, condition.op, [_time(v) for v in values])
    if column == "txn_date":
        return _compare(column, condition.op, [_date(v) for v in values])
    if column == "active":
        return _compare(column, condition.op, [v is True or str(v).lower() == "true" for v in values])
    if condition.op in ("=", "IN"):
        return Q(**{f"{column}__iexact": str(values[0])}) if len(values) == 1 else _any_iexact(column, values)
    return _compare(column, condition.op, [str(v) for v in values])


def _compare(column: str, op: str, values: list) -> Q:
    if None in values:
        return Q(pk__in=[])  # a value of the wrong type matches nothing
    lookup = {"=": "exact", "<": "lt", ">": "gt", "<=": "lte", ">=": "gte"}
    if op == "IN":
        return Q(**{f"{column}__in": values})
    return Q(**{f"{column}__{lookup[op]}": values[0]})


def _time_compare(column: str, op: str, values: list) -> Q:
    """Intuit times have whole seconds; the column keeps fractions. Compare by the second."""
    if None in values:
        return Q(pk__in=[])
    if op in ("=", "IN"):
        result = Q(pk__in=[])
        for moment in values:
            result |= Q(**{f"{column}__gte": moment, f"{column}__lt": moment + ONE_SECOND})
        return result
    moment = values[0]
    bounds = {
        ">": ("gte", moment + ONE_SECOND),
        ">=": ("gte", moment),
        "<": ("lt", moment),
        "<=": ("lt", moment + ONE_SECOND),
    }
    lookup, value = bounds[op]
    return Q(**{f"{column}__{lookup}": value})


def _any_iexact(column: str, values: list) -> Q:
    result = Q(pk__in=[])
    for value in values:
        result |= Q(**{f"{column}__iexact": str(value)})
    return result


def _like(column: str, pattern) -> Q:
    text = str(pattern)
    inner = text.strip("%")
    if "%" not in inner:
        starts, ends = text.startswith("%"), text.endswith("%")
        lookup = {(True, True): "icontains", (False, True): "istartswith", (True, False): "iendswith"}
        return Q(**{f"{column}__{lookup.get((starts, ends), 'iexact')}": inner})
    return Q(**{f"{column}__iregex": _like_regex(text)})


def _like_regex(pattern: str) -> str:
    return "^" + ".*".join(re.escape(part) for part in pattern.split("%")) + "$"


def _int(value):
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def _time(value):
    try:
        return parse_intuit_time(str(value))
    except ValueError:
        raise query_validation(f"Invalid date-time value {value}") from None


def _date(value):
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise query_validation(f"Invalid date value {value}") from None


# --- Python filtering ------------------------------------------------------------------------------------------


def _field(document: dict, path: str):
    value = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, dict) and "value" in value:
        return value["value"]  # CustomerRef = '58' compares the reference's value
    return value


def _matches(document: dict, condition: Condition) -> bool:
    actual = _field(document, condition.field)
    if actual is None or isinstance(actual, dict | list):
        return False
    if condition.op == "LIKE":
        return re.match(_like_regex(str(condition.value)), str(actual), re.IGNORECASE | re.DOTALL) is not None
    if condition.op == "IN":
        return any(_compare_values(actual, "=", value) for value in condition.value)
    return _compare_values(actual, condition.op, condition.value)


def _compare_values(actual, op: str, expected) -> bool:
    left, right = _comparable(actual, expected)
    if left is None:
        return False
    return {"=": left == right, "<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]


def _comparable(actual, expected):
    """Both sides as the same type: booleans, numbers, else case-blind strings."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return str(actual).lower(), str(expected).lower()
    if isinstance(actual, int | Decimal) or isinstance(expected, Decimal):
        try:
            return Decimal(str(actual)), Decimal(str(expected))
        except InvalidOperation:
            return None, None
    return str(actual).casefold(), str(expected).casefold()


def _sort_key(value):
    if isinstance(value, bool):
        return (0, str(value))
    if isinstance(value, int | Decimal):
        return (1, Decimal(str(value)))
    return (2, str(value).casefold())
