"""Name-list rules: names, uniqueness (6240), hierarchy (ParentRef, Level, FullyQualifiedName) and read-only flags."""

from ..errors import business_validation
from ..models import Entity, Realm
from .entities import PEOPLE, Kind
from .faults import duplicate_name, no_name, required_param
from .refs import Resolver

NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
MAX_LEVEL = 4  # QuickBooks allows five levels: the top customer (Level 0) and four below it
SUB_FLAGS = {"Item": "SubItem", "Account": "SubAccount", "Class": "SubClass", "Department": "SubDepartment"}
CLASSIFICATIONS = {
    "Bank": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Receivable": "Asset",
    "Equity": "Equity",
    "Expense": "Expense",
    "Other Expense": "Expense",
    "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Long Term Liability": "Liability",
    "Other Current Liability": "Liability",
    "Income": "Revenue",
    "Other Income": "Revenue",
}


def prepare(realm: Realm, kind: Kind, doc: dict, existing: dict | None, resolver: Resolver) -> None:
    """Fill the computed fields of a name-list object and enforce its naming rules (in place)."""
    if kind.name in PEOPLE:
        _person_name(doc)
    elif not str(doc.get("Name") or "").strip():
        raise required_param("Name")
    own_id = existing["Id"] if existing else None
    _unique(realm, kind, doc, own_id)
    doc.setdefault("Active", True)
    _hierarchy(kind, doc, own_id, resolver)
    _keep_balances(kind, doc, existing)
    if kind.name == "Customer":
        _customer(doc, existing)
    elif kind.name == "Account":
        _account(doc)


# Balances are QuickBooks' own bookkeeping: set (at most) on create, kept as they are by updates.
BALANCES = {
    "Customer": ("Balance", "BalanceWithJobs"),
    "Vendor": ("Balance",),
    "Account": ("CurrentBalance", "CurrentBalanceWithSubAccounts"),
}


def _keep_balances(kind: Kind, doc: dict, existing: dict | None) -> None:
    for name in BALANCES.get(kind.name, ()):
        if existing is not None:
            doc[name] = existing.get(name, 0)
        doc.setdefault(name, doc.get("Balance", 0) if name == "BalanceWithJobs" else 0)


def _person_name(doc: dict) -> None:
    if not str(doc.get("DisplayName") or "").strip():
        parts = [str(doc[p]).strip() for p in NAME_PARTS if str(doc.get(p) or "").strip()]
        if not parts:
            raise no_name()
        doc["DisplayName"] = " ".join(parts)
    doc["DisplayName"] = doc["DisplayName"].strip()


def _unique(realm: Realm, kind: Kind, doc: dict, own_id) -> None:
    """DisplayName is unique across customers, vendors and employees; Name among siblings of its list. Case-blind."""
    types = PEOPLE if kind.name in PEOPLE else (kind.name,)
    clash = Entity.objects.filter(realm=realm, type__in=types, name__iexact=doc[kind.name_field], deleted=False)
    if own_id is not None:
        clash = clash.exclude(type=kind.name, qbo_id=int(own_id))
    if kind.name not in PEOPLE:
        # Sub-entries under different parents may share a Name (their full names differ).
        parent = _parent_id(doc)
        clash = [e for e in clash if _parent_id(e.document) == parent]
    other = next(iter(clash), None)
    if other is not None:
        raise duplicate_name(other.qbo_id)


def _parent_id(doc: dict):
    return str((doc.get("ParentRef") or {}).get("value") or "")


def _hierarchy(kind: Kind, doc: dict, own_id, resolver: Resolver) -> None:
    own_name = doc[kind.name_field]
    parent_ref = doc.get("ParentRef")
    if not parent_ref:
        doc.pop("ParentRef", None)
        doc["FullyQualifiedName"], level = own_name, 0
    else:
        parent = resolver.lookup(kind.name, parent_ref.get("value"))
        if parent is None:
            return  # the reference check reports the missing parent (610)
        _no_cycle(kind, parent, own_id, resolver)
        doc["FullyQualifiedName"] = f"{parent.get('FullyQualifiedName') or parent[kind.name_field]}:{own_name}"
        level = int(parent.get("Level", 0)) + 1
        if level > MAX_LEVEL:
            raise business_validation(
                "Business Validation Error: A sub-entry can be at most 5 levels deep.", element="ParentRef"
            )
    if kind.name == "Customer" or kind.name in SUB_FLAGS:
        doc["Level"] = level
    if kind.name in SUB_FLAGS:
        doc[SUB_FLAGS[kind.name]] = level > 0


def _no_cycle(kind: Kind, parent: dict, own_id, resolver: Resolver) -> None:
    seen = 0
    while parent is not None and seen <= MAX_LEVEL + 1:
        if own_id is not None and str(parent.get("Id")) == str(own_id):
            raise business_validation(
                "Business Validation Error: An entry cannot be its own parent.", element="ParentRef"
            )
        ref = parent.get("ParentRef")
        parent = resolver.lookup(kind.name, ref["value"]) if ref else None
        seen += 1


def _customer(doc: dict, existing: dict | None) -> None:
    """Job follows ParentRef; IsProject is read-only (projects come from the Projects GraphQL API)."""
    if doc.get("ParentRef"):
        doc["Job"] = doc.get("Job", True) is not False
    elif doc.get("Job") is True:
        raise required_param("ParentRef")
    else:
        doc["Job"] = False
    doc["IsProject"] = bool(existing and existing.get("IsProject"))
    doc.setdefault("BillWithParent", False)


def _account(doc: dict) -> None:
    if any(ch in doc["Name"] for ch in '":'):
        raise business_validation('Business Validation Error: An account name cannot contain " or :.', element="Name")
    if not doc.get("AccountType"):
        raise required_param("AccountType")
    doc["Classification"] = CLASSIFICATIONS.get(doc["AccountType"], doc.get("Classification", "Asset"))
