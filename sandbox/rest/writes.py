"""Create, update (full and sparse) and delete, the way QuickBooks applies them (docs/quickbooks-api.md, Writes).

Each write runs in one database transaction: rules first, then `sandbox.store`, then the knock-on effects
(invoice balances after a payment changes). Given the same state and body, a write gives the same result.
"""

from django.db import transaction

from .. import store
from ..models import Entity, Realm
from . import changeorders, names, numbering, receivables, transactions
from .entities import TRANSACTIONS, Kind
from .faults import check_lengths, required_param, unsupported_operation
from .public import private, public
from .refs import Resolver

# Fields QuickBooks computes or owns; a client's values are ignored and recomputed
# (docs/quickbooks-api.md, REST requests).
SERVER_FIELDS = ("Id", "SyncToken", "MetaData", "domain", "sparse", "status")
READ_ONLY = {
    "FullyQualifiedName",
    "Level",
    "IsProject",
    "TotalAmt",
    "HomeTotalAmt",
    "Balance",
    "HomeBalance",
    "BalanceWithJobs",
    "TotalCostAmount",
    "TotalCostAmt",
    "HomeTotalCostAmount",
    "UnappliedAmt",
    "RemainingCredit",
    "Classification",
    "CurrentBalance",
    "CurrentBalanceWithSubAccounts",
    "SubItem",
    "SubAccount",
    "SubClass",
    "SubDepartment",
}
# Payment.TotalAmt is input; an opening Balance may be given on create only.
WRITABLE_EXCEPTIONS = {"Payment": {"TotalAmt"}, "Customer": {"Balance"}, "Vendor": {"Balance"}}


def _writable(kind: Kind, body: dict, existing: dict | None) -> dict:
    keep = WRITABLE_EXCEPTIONS.get(kind.name, set()) if existing is None or kind.name == "Payment" else set()
    doc = {k: v for k, v in public(body).items() if k not in SERVER_FIELDS and (k not in READ_ONLY or k in keep)}
    return {**doc, **private(existing or {})}  # other parts' private keys survive a full update


def _prepare(realm: Realm, kind: Kind, doc: dict, existing: dict | None) -> None:
    check_lengths(doc)
    resolver = Resolver(realm)
    if kind.name_list:
        names.prepare(realm, kind, doc, existing, resolver)
    elif kind.name in TRANSACTIONS:
        transactions.prepare(realm, kind, doc, existing, resolver)
    resolver.check(doc, kind.name)
    if kind.name in TRANSACTIONS:
        transactions.compute(realm, kind, doc, existing, resolver)


def _after_write(realm: Realm, kind: Kind, old: dict | None, new: dict | None) -> None:
    if kind.name == "Payment":
        touched = receivables.invoice_ids(old or {}) | receivables.invoice_ids(new or {})
        receivables.refresh_balances(realm, touched)


def _gate(realm: Realm, kind: Kind) -> None:
    if kind.advanced_only:
        changeorders.require_entitlement(realm)


def create(realm: Realm, kind: Kind, body: dict) -> Entity:
    """A new object (POST {entity} without Id)."""
    _gate(realm, kind)
    if not kind.creatable:
        raise unsupported_operation(f"Create for {kind.name}")
    doc = _writable(kind, body, None)
    with transaction.atomic(using="sandbox"):
        _prepare(realm, kind, doc, None)
        numbering.assign(realm, kind, doc)
        entity = store.create(realm, kind.name, doc)
        _after_write(realm, kind, None, entity.document)
    return entity


def update(realm: Realm, kind: Kind, body: dict) -> Entity:
    """Full update replaces the document; `"sparse": true` merges top-level fields (Line is always whole)."""
    _gate(realm, kind)
    if body.get("SyncToken") in (None, ""):
        raise required_param("SyncToken")
    with transaction.atomic(using="sandbox"):
        entity = store.get(realm, kind.name, body["Id"], for_update=True)
        store.check_sync_token(entity, body["SyncToken"])
        existing = entity.document
        base = {**existing, **body} if body.get("sparse") is True else body
        doc = _writable(kind, base, existing)
        _prepare(realm, kind, doc, existing)
        store.save(entity, doc)
        _after_write(realm, kind, existing, entity.document)
    return entity


def delete(realm: Realm, kind: Kind, body: dict) -> dict:
    """Hard delete (POST {entity}?operation=delete); name lists can only be made inactive."""
    _gate(realm, kind)
    if not kind.deletable:
        raise unsupported_operation(f"Delete for {kind.name} (make it inactive with Active=false)")
    for field in ("Id", "SyncToken"):
        if body.get(field) in (None, ""):
            raise required_param(field)
    with transaction.atomic(using="sandbox"):
        entity = store.get(realm, kind.name, body["Id"], for_update=True)
        store.check_sync_token(entity, body["SyncToken"])
        old = entity.document
        store.delete(entity)
        _after_write(realm, kind, old, None)
    # change_order_delete in tests/sandbox/fixtures/qbo_seed_001_project_examples.json echoes the SyncToken the
    # deletion would have had.
    return {"Id": str(entity.qbo_id), "SyncToken": str(entity.sync_token + 1), "status": "Deleted", "domain": "QBO"}


def apply(realm: Realm, kind: Kind, body: dict, operation: str = "") -> dict:
    """One write as a REST call or batch item names it: create, update (Id + SyncToken) or delete.

    Without an explicit operation, a body with an Id is an update (Intuit: "update = body carries Id + SyncToken").
    """
    operation = (operation or "").lower()
    if operation == "delete":
        return delete(realm, kind, body)
    if operation not in ("", "create", "update"):
        raise unsupported_operation(f"{operation} for {kind.name}")
    if operation == "update" or (operation == "" and body.get("Id") not in (None, "")):
        if body.get("Id") in (None, ""):
            raise required_param("Id")
        return public(update(realm, kind, body).document)
    return public(create(realm, kind, body).document)


def read(realm: Realm, kind: Kind, qbo_id) -> dict:
    """GET {entity}/{id}: the live object or 610."""
    _gate(realm, kind)
    return public(store.get(realm, kind.name, qbo_id).document)
