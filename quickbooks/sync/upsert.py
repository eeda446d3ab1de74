"""Writing pulled QuickBooks documents into local rows: one path for name lists and domain documents alike.

`upsert` writes one page into a SyncedObject model: one SELECT finds the rows already known, then one bulk INSERT
and one bulk upsert by primary key write the page, a fixed number of queries whatever its size. A row that already
holds QuickBooks' version is not written again. A row with local changes still waiting to be pushed is never
overwritten: when QuickBooks sends a different version, it is kept in `conflict_document` and the row is marked
CONFLICT for a person to settle (docs/architecture.md, "Pull").

The helpers below serve every domain app: child lines rebuilt from their parent's document, rows that named an
object before it arrived linked to it, CDC's deleted stubs split off, the ids a whole pull checks for deletions.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.db import IntegrityError, connections, router, transaction

from ..models import Company, SyncedObject, SyncState
from .bulk import Values, insert_rows
from .documents import updated_at
from .echoes import own_creates

BATCH = 500
SYNCED_FIELDS = ["sync_token", "qbo_updated_at", "qbo_document", "sync_state", "sync_error", "conflict_document"]


@dataclass
class Incoming:
    """One document's values for the model's fields (sync_token, qbo_updated_at, qbo_document included)."""

    qbo_id: str
    values: dict


@dataclass
class Written:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)

    @property
    def rows(self) -> list:
        """The rows that now hold QuickBooks' version (their child rows must follow it)."""
        return self.created + self.updated

    @property
    def count(self) -> int:
        return len(self.created) + len(self.updated) + len(self.conflicts)


def synced(document: dict, *, sync_token: str = "", updated_at: datetime | None = None) -> dict:
    """The SyncedObject part of a row's values: QuickBooks' version, nothing waiting, no conflict."""
    return {
        "sync_token": sync_token,
        "qbo_updated_at": updated_at,
        "qbo_document": document,
        "sync_state": SyncState.SYNCED,
        "sync_error": "",
        "conflict_document": None,
    }


def synced_rest(document: dict) -> dict:
    """`synced` for a REST document, which carries its own SyncToken and MetaData.LastUpdatedTime."""
    return synced(document, sync_token=str(document.get("SyncToken", "")), updated_at=updated_at(document))


def is_new_version(obj: SyncedObject, values: dict) -> bool:
    """QuickBooks changed the object since the local copy was taken: another SyncToken or, for objects without
    one (GraphQL projects and budgets), another document."""
    token = values.get("sync_token", "")
    if token or obj.sync_token:
        return token != obj.sync_token
    return values.get("qbo_document") != obj.qbo_document


def _unchanged(obj: SyncedObject, values: dict, fields: list[str]) -> bool:
    return obj.sync_state == SyncState.SYNCED and all(getattr(obj, name) == values[name] for name in fields)


def upsert(
    model: type[Any],
    company: Company,
    incoming: list[Incoming],
    fields: list[str],
    *,
    scope: dict | None = None,
    version: Callable[[Any, dict], bool] = is_new_version,
    document_field: str = "qbo_document",
) -> Written:
    """Write `incoming` into `model` rows of `company` keyed by qbo_id; `fields` are those the values set.

    `scope` narrows the key for tables holding several entities (name lists: {"entity": "Customer"}).
    `version(obj, values)` says whether QuickBooks' version differs from the local row's; on a conflict the
    incoming `document_field` is what is kept for the person who settles it.
    """
    scope = scope or {}
    latest = {item.qbo_id: item.values for item in incoming}  # a page naming an object twice: the last wins
    known = {obj.qbo_id: obj for obj in model.objects.filter(company=company, qbo_id__any=list(latest), **scope)}
    strangers = {qbo_id: values.get(document_field) for qbo_id, values in latest.items() if qbo_id not in known}
    for qbo_id, obj in own_creates(model, company, strangers).items():
        known[qbo_id] = _take_echo(obj, qbo_id, latest[qbo_id])
    written = Written()
    new_row = _new_rows(model, {"company_id": company.pk, **scope})
    for qbo_id, values in latest.items():
        obj = known.get(qbo_id)
        if obj is None:
            written.created.append(new_row(qbo_id, values))
        elif not obj.has_local_changes:
            if not _unchanged(obj, values, fields):
                for name in fields:
                    setattr(obj, name, values[name])
                written.updated.append(obj)
        elif version(obj, values) and obj.conflict_document != values.get(document_field):
            obj.conflict_document = values.get(document_field)
            obj.sync_state = SyncState.CONFLICT
            written.conflicts.append(obj)
    raced = _create(model, company, written.created, scope)
    if raced:
        # Another writer stored these between the SELECT above and the INSERT (a pull whose cache lock lapsed, say):
        # they are known rows now, and take QuickBooks' version by the rules for known rows, never a second row.
        written.created = [obj for obj in written.created if obj.qbo_id not in raced]
        again = upsert(
            model,
            company,
            [Incoming(qbo_id, latest[qbo_id]) for qbo_id in raced],
            fields,
            scope=scope,
            version=version,
            document_field=document_field,
        )
        written.updated += again.created + again.updated
        written.conflicts += again.conflicts
    if written.updated:
        # INSERT .. ON CONFLICT (id) DO UPDATE, without bulk_create's per-value compiling: bulk_update's CASE WHEN per
        # field is slower still, and the conditional (company, qbo_id) constraint cannot be an ON CONFLICT target.
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = [{name: getattr(obj, name) for name in columns} for obj in written.updated]
        insert_rows(model, rows, update_fields=fields, unique_fields=[model._meta.pk.name])
    if written.conflicts:
        model.objects.bulk_update(written.conflicts, ["conflict_document", "sync_state"], batch_size=BATCH)
    return written


def _new_rows(model: type[Any], fixed: dict) -> Callable[[str, dict], Any]:
    """(qbo_id, values) -> a new unsaved row, given its fields in order: Model.__init__ by keyword costs several times
    as much (a lookup per field, and a foreign key's descriptor asks the database router), over a first pull's
    hundred thousand new rows."""
    in_order = Values.of_fields(model._meta.concrete_fields)
    return lambda qbo_id, values: model(*in_order.of({**fixed, "qbo_id": qbo_id, **values}))


def _take_echo(obj: Any, qbo_id: str, values: dict) -> Any:
    """The object Costline's own create made, read before the create's reply came back: the creating row takes its
    Id and QuickBooks' version now; its local state stays as it is until the outbox takes the reply."""
    obj.qbo_id = qbo_id
    version = {name: values[name] for name in ("sync_token", "qbo_updated_at", "qbo_document") if name in values}
    for name, value in version.items():
        setattr(obj, name, value)
    type(obj).objects.filter(pk=obj.pk).update(qbo_id=qbo_id, **version)
    return obj


def _create(model: type[Any], company: Company, objs: list, scope: dict) -> set[str]:
    """INSERT new rows without bulk_create's per-value compiling (most of a first pull's time), then read their
    pks back in one SELECT: callers write child rows for them.

    Returns the qbo_ids another transaction stored first (the unique (company, qbo_id) constraint refused ours):
    those are not inserted; every other row of `objs` is."""
    if not objs:
        return set()
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    try:
        with transaction.atomic():  # a savepoint: the page's transaction goes on after a refusal
            insert_rows(model, [{name: getattr(obj, name) for name in fields} for obj in objs])
    except IntegrityError:
        # The other writer has committed (the unique check waited for it): its rows are visible to a new statement.
        stored = model.objects.filter(company=company, qbo_id__any=[obj.qbo_id for obj in objs], **scope)
        raced = set(stored.values_list("qbo_id", flat=True))
        if not raced:
            raise
        return raced | _create(model, company, [obj for obj in objs if obj.qbo_id not in raced], scope)
    found = model.objects.filter(company=company, qbo_id__any=[obj.qbo_id for obj in objs], **scope)
    pks = dict(found.values_list("qbo_id", "pk"))
    for obj in objs:
        obj.pk = pks[obj.qbo_id]
        obj._state.adding, obj._state.db = False, found.db  # as bulk_create leaves them: saved rows
    return set()


def split_deleted(documents: list[dict]) -> tuple[list[dict], list[str]]:
    """Split CDC's answer: documents, and the Ids of "Deleted" stubs."""
    gone = [str(d["Id"]) for d in documents if d.get("status") == "Deleted"]
    return [d for d in documents if d.get("status") != "Deleted"], gone


def document_lines(parent: SyncedObject) -> list[dict]:
    """A REST document's lines, as QuickBooks last sent them."""
    return parent.qbo_document.get("Line", [])


def replace_lines(
    line_model: type[Any],
    parent_field: str,
    parents: list,
    values: Callable[[dict], dict | None],
    lines_of: Callable[[Any], list[dict]] = document_lines,
) -> int:
    """Each parent's lines become those of its document: one DELETE and one INSERT for the lot.

    `values(line)` maps a document line to the line model's fields, or None for a line not kept (a subtotal).
    """
    if not parents:
        return 0
    line_model.objects.filter(**{f"{parent_field}__any": [p.pk for p in parents]}).delete()
    column = line_model._meta.get_field(parent_field).attname
    rows = []
    for parent in parents:
        for line in lines_of(parent):
            fields = values(line)
            if fields is not None:
                rows.append({**fields, column: parent.pk})
    return insert_rows(line_model, rows)


def link_waiting_rows(models_: Iterable[Any], target: Any, name: str, company: Company, qbo_ids: list[str]) -> None:
    """Rows that named these objects before they were known get their foreign key `name` (one UPDATE a model).

    Each model holds `<name>_qbo_id` (the QuickBooks id it names) and a nullable foreign key `<name>` to `target`.
    """
    if not qbo_ids:  # a page of customers without a project among them, say
        return
    connection = connections[router.db_for_write(target)]
    ids_params: list[Any]
    if connection.vendor == "postgresql":
        ids_sql, ids_params = "= ANY(%s)", [list(qbo_ids)]  # one array: see quickbooks/lookups.py
    else:
        ids_sql, ids_params = f"IN ({', '.join(['%s'] * len(qbo_ids))})", list(qbo_ids)
    with connection.cursor() as cursor:
        for model in models_:
            statement = _link_statement(model, target, name, connection.vendor).format(ids=ids_sql)
            cursor.execute(statement, [company.pk, *ids_params])


@cache
def _link_statement(model: Any, target: Any, name: str, vendor: str) -> str:
    """link_waiting_rows' UPDATE for one model, written once: a page of projects links four models, and Django
    compiled each UPDATE with its correlated subquery anew, a few percent of a first pull's CPU. `{ids}` is the
    condition on the named ids; the parameters are the company's pk, then the ids. Names come from the models'
    own metadata, never from input. `vendor` is part of the cache's key: each database quotes names its own way."""
    quote = connections[router.db_for_write(target)].ops.quote_name

    def column(of: type[Any], field: str) -> str:
        return quote(of._meta.get_field(field).column)

    rows, named = quote(model._meta.db_table), quote(target._meta.db_table)
    waiting, company, link = column(model, f"{name}_qbo_id"), column(model, "company"), column(model, name)
    found = (
        f"SELECT t.{quote(target._meta.pk.column)} FROM {named} t WHERE t.{column(target, 'company')} = "  # noqa: S608
        f"{rows}.{company} AND t.{column(target, 'qbo_id')} = {rows}.{waiting} LIMIT 1"
    )
    return (
        f"UPDATE {rows} SET {link} = ({found}) "  # noqa: S608
        f"WHERE {rows}.{company} = %s AND {rows}.{link} IS NULL AND {rows}.{waiting} {{ids}}"
    )


def known_ids(model: type[Any], **scope: Any) -> Callable[[Any], set[str]]:
    """For a whole pull: a function giving the QuickBooks ids of a company's local copies (those not yet sent
    have none), so the pull can remove what QuickBooks no longer has."""

    def ids(company: Company) -> set[str]:
        rows = model.objects.filter(company=company, **scope).exclude(qbo_id="")
        return set(rows.values_list("qbo_id", flat=True))

    return ids
