"""Which QuickBooks entities the REST API serves and what each one allows (docs/quickbooks-api.md, REST requests)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  # Intuit's entity name, also the JSON wrapper key
    name_list: bool = False  # name lists are deactivated (Active=false), never deleted
    sales: bool = False  # sales forms: SalesItemLine, SubTotalLine, discounts, sales tax
    creatable: bool = True  # TaxCode, TaxRate, CompanyInfo, Preferences are not created through REST
    deletable: bool = True
    cdc: bool = True  # CDC refuses JournalCode, TimeActivity, TaxAgency, TaxCode, TaxRate
    name_field: str = "DocNumber"  # the field copied into the indexed `name` column by sandbox.store
    advanced_only: bool = False  # needs QuickBooks Online Advanced (change orders)


_KINDS = [
    Kind("Customer", name_list=True, deletable=False, name_field="DisplayName"),
    Kind("Vendor", name_list=True, deletable=False, name_field="DisplayName"),
    Kind("Employee", name_list=True, deletable=False, name_field="DisplayName"),
    Kind("Item", name_list=True, deletable=False, name_field="Name"),
    Kind("Account", name_list=True, deletable=False, name_field="Name"),
    Kind("Class", name_list=True, deletable=False, name_field="Name"),
    Kind("Department", name_list=True, deletable=False, name_field="Name"),
    Kind("Term", name_list=True, deletable=False, name_field="Name"),
    Kind("TaxCode", name_list=True, creatable=False, deletable=False, cdc=False, name_field="Name"),
    Kind("TaxRate", name_list=True, creatable=False, deletable=False, cdc=False, name_field="Name"),
    Kind("Estimate", sales=True),
    Kind("ChangeOrder", sales=True, advanced_only=True),
    Kind("Invoice", sales=True),
    Kind("SalesReceipt", sales=True),
    Kind("CreditMemo", sales=True),
    Kind("RefundReceipt", sales=True),
    Kind("Payment"),
    Kind("Bill"),
    Kind("VendorCredit"),
    Kind("Purchase"),
    Kind("PurchaseOrder"),
    Kind("TimeActivity", cdc=False),
    Kind("JournalEntry"),
    Kind("CompanyInfo", creatable=False, deletable=False, name_field="CompanyName"),
    Kind("Preferences", creatable=False, deletable=False, name_field=""),
]

KINDS = {kind.name: kind for kind in _KINDS}
_BY_LOWER = {kind.name.lower(): kind for kind in _KINDS}

# Transactions that carry money totals computed by `sandbox.rest.accounting`.
TRANSACTIONS = {k.name for k in _KINDS if not k.name_list and k.name not in ("CompanyInfo", "Preferences")}
# DisplayName is unique across these three lists together (Intuit: "Duplicate Name Exists").
PEOPLE = ("Customer", "Vendor", "Employee")


def by_segment(segment: str) -> Kind | None:
    """The entity behind a URL path segment (`changeorder`) or a query's FROM name (any case)."""
    return _BY_LOWER.get(segment.lower())
