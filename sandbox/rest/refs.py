"""Reference checks: every `...Ref` must name a live, active object (610 when missing, 2500 when inactive).

`ProjectRef` is stricter: it must name a Customer that is a project (`IsProject: true`), else "Invalid ProjectRef".
Resolved references get QuickBooks' display `name`, as QuickBooks overwrites whatever name the client sent.
"""

from ..errors import not_found
from ..models import Entity, Realm
from .faults import invalid_project_ref, invalid_reference

REF_TYPES = {
    "CustomerRef": "Customer",
    "VendorRef": "Vendor",
    "EmployeeRef": "Employee",
    "ItemRef": "Item",
    "ClassRef": "Class",
    "DepartmentRef": "Department",
    "SalesTermRef": "Term",
    "TermRef": "Term",
    "TxnTaxCodeRef": "TaxCode",
    "DefaultTaxCodeRef": "TaxCode",
    "TaxCodeRef": "TaxCode",
    "TaxRateRef": "TaxRate",
    "ProjectRef": "Customer",
}
# US line tax codes are pseudo codes, not TaxCode objects (checked in sandbox.rest.accounting).
PSEUDO_TAX_CODES = {"TAX", "NON"}


class Resolver:
    """Looks references up once per request; `check(document, own_type)` walks the whole document."""

    def __init__(self, realm: Realm):
        self.realm = realm
        self._cache: dict[tuple[str, str], dict | None] = {}

    def lookup(self, type_: str, qbo_id) -> dict | None:
        key = (type_, str(qbo_id))
        if key not in self._cache:
            try:
                entity = Entity.objects.get(realm=self.realm, type=type_, qbo_id=int(qbo_id), deleted=False)
                self._cache[key] = entity.document
            except (Entity.DoesNotExist, TypeError, ValueError):
                self._cache[key] = None
        return self._cache[key]

    def check(self, node, own_type: str) -> None:
        if isinstance(node, list):
            for item in node:
                self.check(item, own_type)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("Ref") and isinstance(value, dict) and "value" in value:
                    self._check_ref(key, value, own_type)
                else:
                    self.check(value, own_type)

    def _check_ref(self, key: str, ref: dict, own_type: str) -> None:
        target = _target_type(key, ref, own_type)
        if target is None or (key == "TaxCodeRef" and str(ref["value"]) in PSEUDO_TAX_CODES):
            return
        if key == "ProjectRef":
            self.project(ref["value"])
            return
        document = self.lookup(target, ref["value"])
        if document is None:
            raise not_found(target, ref["value"])
        if document.get("Active") is False:
            raise invalid_reference(target, ref["value"])
        name = display_name(document)
        if name:
            ref["name"] = name

    def project(self, qbo_id) -> dict:
        """The project Customer behind a ProjectRef, or the "Invalid ProjectRef" fault."""
        document = self.lookup("Customer", qbo_id)
        if document is None or document.get("IsProject") is not True or document.get("Active") is False:
            raise invalid_project_ref(qbo_id)
        return document


def _target_type(key: str, ref: dict, own_type: str) -> str | None:
    if key == "ParentRef":
        return own_type
    if key == "EntityRef":
        return ref.get("type") if ref.get("type") in ("Customer", "Vendor", "Employee") else None
    if key.endswith("AccountRef"):
        return "Account"
    return REF_TYPES.get(key)


def display_name(document: dict) -> str:
    return document.get("FullyQualifiedName") or document.get("DisplayName") or document.get("Name") or ""
