"""The company's own records: CompanyInfo and Preferences, made on first use, and the sales tax rate they imply."""

from decimal import Decimal

from django.db import transaction

from .. import store
from ..models import Entity, Realm

SKU_NAMES = {Realm.Plan.ADVANCED: "QuickBooks Online Advanced", Realm.Plan.PLUS: "QuickBooks Online Plus"}


def _company_info(realm: Realm) -> dict:
    return {
        "CompanyName": realm.name,
        "LegalName": realm.name,
        "Country": realm.country,
        "SupportedLanguages": "en",
        "DefaultTimeZone": "America/Los_Angeles",
        "FiscalYearStartMonth": "January",
        "CompanyStartDate": realm.created.date().isoformat(),
        "NameValue": [
            {"Name": "OfferingSku", "Value": SKU_NAMES.get(realm.plan, realm.plan)},
            {"Name": "NeoEnabled", "Value": "true"},
            {"Name": "IndustryType", "Value": "Construction"},
        ],
    }


def _preferences(realm: Realm) -> dict:
    return {
        "AccountingInfoPrefs": {
            "TrackDepartments": True,
            "ClassTrackingPerTxn": False,
            "ClassTrackingPerTxnLine": True,
            "CustomerTerminology": "Customers",
        },
        "SalesFormsPrefs": {
            "CustomTxnNumbers": False,
            "AllowDiscount": True,
            "AllowEstimates": True,
            "ETransactionEnabledStatus": "NotApplicable",
        },
        "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
        "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": True},
        "TimeTrackingPrefs": {"UseServices": True, "BillCustomers": True, "MarkTimeEntriesBillable": True},
        "OtherPrefs": {"NameValue": [{"Name": "ProjectsEnabled", "Value": "true"}]},
    }


_DEFAULTS = {"CompanyInfo": _company_info, "Preferences": _preferences}


def ensure(realm: Realm, type_: str) -> Entity:
    """The realm's single CompanyInfo or Preferences object, created with defaults the first time it is needed."""
    return _stored(realm, type_) or store.create(realm, type_, _DEFAULTS[type_](realm))


def _stored(realm: Realm, type_: str) -> Entity | None:
    return Entity.objects.filter(realm=realm, type=type_, deleted=False).order_by("qbo_id").first()


def custom_txn_numbers(realm: Realm) -> bool:
    """Preferences.SalesFormsPrefs.CustomTxnNumbers: true lets sales forms go without a DocNumber; false has
    QuickBooks number them (`sandbox.rest.numbering`)."""
    stored = _stored(realm, "Preferences")
    prefs = stored.document if stored else _preferences(realm)  # read only: no Preferences made for a look
    return (prefs.get("SalesFormsPrefs") or {}).get("CustomTxnNumbers") is True


def set_custom_txn_numbers(realm: Realm, on: bool) -> None:
    """Switch the company's custom transaction numbers, as its owner does in QuickBooks' sales settings.

    Clients change it with a Preferences update; tests and the control API (`/_sandbox/realms`) call this.
    """
    with transaction.atomic(using="sandbox"):
        prefs = ensure(realm, "Preferences")
        document = prefs.document
        document.setdefault("SalesFormsPrefs", {})["CustomTxnNumbers"] = bool(on)
        store.save(prefs, document)


def sales_tax_rates(realm: Realm, tax_code_id=None) -> list[tuple[dict, Decimal]]:
    """(TaxRateRef, percent) charged on TAX lines, from the transaction's TxnTaxCodeRef or the company default.

    The default is Preferences.TaxPrefs.TaxGroupCodeRef, else the company's only tax code that has rates.
    A TaxCode carries `SalesTaxRateList.TaxRateDetail[].TaxRateRef`; each TaxRate a `RateValue` (percent).
    A company with no tax code configured charges nothing.
    """
    code = _live(realm, "TaxCode", tax_code_id or _default_tax_code(realm))
    rates = []
    for detail in ((code or {}).get("SalesTaxRateList") or {}).get("TaxRateDetail") or []:
        rate_ref = detail.get("TaxRateRef") or {}
        rate = _live(realm, "TaxRate", rate_ref.get("value"))
        if rate is not None:
            rates.append(({"value": rate["Id"], "name": rate.get("Name", "")}, Decimal(str(rate.get("RateValue", 0)))))
    return rates


def _default_tax_code(realm: Realm):
    prefs = ensure(realm, "Preferences").document
    chosen = ((prefs.get("TaxPrefs") or {}).get("TaxGroupCodeRef") or {}).get("value")
    if chosen:
        return chosen
    with_rates = [
        doc
        for doc in (e.document for e in Entity.objects.filter(realm=realm, type="TaxCode", deleted=False, active=True))
        if ((doc.get("SalesTaxRateList") or {}).get("TaxRateDetail"))
    ]
    return with_rates[0]["Id"] if len(with_rates) == 1 else None


def _live(realm: Realm, type_: str, qbo_id) -> dict | None:
    try:
        return Entity.objects.get(realm=realm, type=type_, qbo_id=int(qbo_id), deleted=False).document
    except (Entity.DoesNotExist, TypeError, ValueError):
        return None
