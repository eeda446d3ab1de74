"""Server-side amounts and reference checks on transactions."""

from decimal import Decimal

import pytest

from sandbox import store

from .conftest import body_of, fault_of

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.rest.urls")]


def sales_line(qty, price, tax="NON", item="2", **extra):
    detail = {"ItemRef": {"value": item}, "Qty": qty, "UnitPrice": price, "TaxCodeRef": {"value": tax}}
    return {"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail, **extra}


def test_line_amount_is_qty_times_unit_price_rounded_once(api, seeded):
    invoice = api.create(
        "invoice", {"CustomerRef": {"value": "1"}, "Line": [sales_line(Decimal("3"), Decimal("33.3351"))]}
    )
    assert invoice["Line"][0]["Amount"] == Decimal("100.01")
    assert invoice["TotalAmt"] == Decimal("100.01") and invoice["Balance"] == Decimal("100.01")


def test_amount_disagreeing_with_qty_times_unit_price_is_6070(api, seeded):
    response = api.post("invoice", {"CustomerRef": {"value": "1"}, "Line": [sales_line(2, 10, Amount=25)]})
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "6070" and "Supplied value:25" in error["Detail"]


def test_us_line_tax_code_must_be_tax_or_non(api, seeded):
    assert (
        fault_of(api.post("invoice", {"CustomerRef": {"value": "1"}, "Line": [sales_line(1, 5, tax="2")]}))["code"]
        == "6100"
    )


def test_sales_tax_is_charged_on_tax_lines_at_the_company_rate(api, seeded):
    invoice = api.create(
        "invoice", {"CustomerRef": {"value": "1"}, "Line": [sales_line(1, 100, tax="TAX"), sales_line(1, 50)]}
    )
    assert invoice["TxnTaxDetail"]["TotalTax"] == Decimal("9.00")
    assert invoice["TotalAmt"] == Decimal("159.00")
    assert invoice["Line"][-1] == {
        "Amount": Decimal("150.00"),
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {},
    }


def test_client_totals_are_overwritten(api, seeded):
    invoice = api.create(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "TotalAmt": 1,
            "Balance": 1,
            "TxnTaxDetail": {"TotalTax": 99},
            "Line": [sales_line(2, 10)],
        },
    )
    assert invoice["TotalAmt"] == Decimal("20.00") and invoice["TxnTaxDetail"]["TotalTax"] == 0


def test_estimate_total_cost_comes_from_unit_cost_times_qty(api, seeded):
    line = sales_line(4, 100, UnitCostPrice=None)
    line.pop("UnitCostPrice")
    line["SalesItemLineDetail"]["UnitCostPrice"] = Decimal("60.25")
    estimate = api.create(
        "estimate",
        {
            "CustomerRef": {"value": "2"},
            "ProjectRef": {"value": "447322633"},
            "Line": [line, {**sales_line(1, 10), "CostAmount": Decimal("7.5")}],
        },
    )
    assert estimate["Line"][0]["CostAmount"] == Decimal("241.00")
    assert estimate["TotalCostAmount"] == Decimal("248.50") and estimate["TotalAmt"] == Decimal("410.00")


def test_missing_amount_without_qty_and_price_is_a_required_param(api, seeded):
    line = {
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}},
    }
    error = fault_of(api.post("bill", {"VendorRef": {"value": "15"}, "Line": [line]}))
    assert error["code"] == "2020" and error["element"] == "Line.Amount"


def test_reference_to_a_missing_object_is_610(api, seeded):
    response = api.post("invoice", {"CustomerRef": {"value": "4040"}, "Line": [sales_line(1, 1)]})
    error = fault_of(response)
    assert error["code"] == "610" and "Customer 4040" in error["Detail"]


def test_reference_to_an_inactive_object_is_2500(api, seeded):
    item = store.get(seeded, "Item", 2)
    store.save(item, {**item.document, "Active": False})
    error = fault_of(api.post("invoice", {"CustomerRef": {"value": "1"}, "Line": [sales_line(1, 1)]}))
    assert error["code"] == "2500" and error["Message"] == "Invalid Reference Id"


def test_project_ref_on_an_invoice_must_be_a_project(api, seeded):
    response = api.post(
        "invoice", {"CustomerRef": {"value": "1"}, "ProjectRef": {"value": "2"}, "Line": [sales_line(1, 1)]}
    )
    assert fault_of(response)["Message"] == "Invalid ProjectRef"


def test_sub_customer_that_is_not_a_project_is_an_invalid_project_ref(api, seeded):
    job = api.create("customer", {"DisplayName": "Look-alike", "Job": True, "ParentRef": {"value": "1"}})
    response = api.post(
        "bill",
        {
            "VendorRef": {"value": "15"},
            "Line": [
                {
                    "Amount": 10,
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "ProjectRef": {"value": job["Id"]},
                    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}},
                }
            ],
        },
    )
    assert fault_of(response)["code"] == "9341"


def test_payment_reduces_invoice_balance_and_deleting_it_restores_it(api, seeded):
    invoice = api.create("invoice", {"CustomerRef": {"value": "1"}, "Line": [sales_line(1, 100)]})
    payment = api.create(
        "payment",
        {
            "CustomerRef": {"value": "1"},
            "TotalAmt": 60,
            "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert payment["UnappliedAmt"] == Decimal("20.00")
    after = body_of(api.get(f"invoice/{invoice['Id']}"))["Invoice"]
    assert after["Balance"] == Decimal("60.00") and after["SyncToken"] == "1"
    api.post("payment", {"Id": payment["Id"], "SyncToken": "0"}, operation="delete")
    assert body_of(api.get(f"invoice/{invoice['Id']}"))["Invoice"]["Balance"] == Decimal("100.00")


def test_payment_cannot_apply_more_than_the_invoice_balance(api, seeded):
    invoice = api.create("invoice", {"CustomerRef": {"value": "1"}, "Line": [sales_line(1, 100)]})
    response = api.post(
        "payment",
        {
            "CustomerRef": {"value": "1"},
            "TotalAmt": 150,
            "Line": [{"Amount": 150, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert fault_of(response)["code"] == "6000"
    assert body_of(api.get(f"invoice/{invoice['Id']}"))["Invoice"]["Balance"] == Decimal("100.00")


def test_payment_without_total_is_a_required_param(api, seeded):
    assert fault_of(api.post("payment", {"CustomerRef": {"value": "1"}}))["element"] == "TotalAmt"


def test_journal_entry_must_balance(api, seeded):
    def line(side, amount):
        return {
            "Amount": amount,
            "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": {"PostingType": side, "AccountRef": {"value": "7"}},
        }

    assert fault_of(api.post("journalentry", {"Line": [line("Debit", 10), line("Credit", 9)]}))["code"] == "6000"
    entry = api.create("journalentry", {"Line": [line("Debit", 10), line("Credit", 10)]})
    assert entry["TotalAmt"] == Decimal("10.00")


def test_purchase_requires_payment_type_and_totals_its_lines(api, seeded):
    assert fault_of(api.post("purchase", {"AccountRef": {"value": "18"}, "Line": []}))["element"] == "PaymentType"
    purchase = api.create(
        "purchase",
        {
            "PaymentType": "Cash",
            "AccountRef": {"value": "18"},
            "Line": [
                {
                    "Amount": Decimal("12.50"),
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "AccountBasedExpenseLineDetail": {
                        "AccountRef": {"value": "7"},
                        "CustomerRef": {"value": "39298034"},
                    },
                }
            ],
        },
    )
    assert purchase["TotalAmt"] == Decimal("12.50")


def test_time_activity_needs_the_person_it_names(api, seeded):
    error = fault_of(api.post("timeactivity", {"NameOf": "Vendor", "Hours": 2}))
    assert error["code"] == "2020" and error["element"] == "VendorRef"


def test_named_tax_code_gives_a_tax_line_per_rate(api, seeded):
    invoice = api.create(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "TxnTaxDetail": {"TxnTaxCodeRef": {"value": "2"}, "TotalTax": 1},
            "Line": [sales_line(2, Decimal("12.50"), tax="TAX")],
        },
    )
    detail = invoice["TxnTaxDetail"]
    assert detail["TotalTax"] == Decimal("2.25") and detail["TxnTaxCodeRef"] == {"value": "2", "name": "California"}
    (tax_line,) = detail["TaxLine"]
    assert tax_line["Amount"] == Decimal("2.25")
    assert tax_line["TaxLineDetail"]["NetAmountTaxable"] == Decimal("25.00")
    assert tax_line["TaxLineDetail"]["TaxPercent"] == 9


def test_company_with_a_single_rated_tax_code_uses_it_by_default(api, realm):
    from .conftest import put

    put(realm, "Customer", 1, {"DisplayName": "Solo", "Active": True})
    put(realm, "Item", 2, {"Name": "Hours", "Type": "Service"})
    put(realm, "TaxRate", 1, {"Name": "County", "RateValue": Decimal("10.25"), "Active": True})
    put(realm, "TaxCode", 1, {"Name": "TAX", "Active": True, "SalesTaxRateList": {"TaxRateDetail": []}})
    put(
        realm,
        "TaxCode",
        3,
        {"Name": "County", "Active": True, "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "1"}}]}},
    )
    invoice = api.create("invoice", {"CustomerRef": {"value": "1"}, "Line": [sales_line(1, 200, tax="TAX")]})
    assert invoice["TxnTaxDetail"] == {"TotalTax": Decimal("20.50")} and invoice["TotalAmt"] == Decimal("220.50")


@pytest.mark.parametrize(
    ("field", "limit", "value"),
    [
        ("DocNumber", 21, lambda text: {"DocNumber": text}),
        ("PrivateNote", 4000, lambda text: {"PrivateNote": text}),
        ("CustomerMemo", 1000, lambda text: {"CustomerMemo": {"value": text}}),
        ("Description", 4000, lambda text: {"Line": [{**sales_line(1, 10), "Description": text}]}),
    ],
)
def test_text_longer_than_intuit_takes_is_refused_with_2050(api, seeded, field, limit, value):
    """As Intuit answers it: code 2050, the limit and the length supplied, the element named; nothing cut short."""
    body = {"CustomerRef": {"value": "2"}, "Line": [sales_line(1, 10)], **value("x" * limit)}
    assert api.post("estimate", body).status_code == 200, "at the limit is fine"
    error = fault_of(api.post("estimate", {**body, **value("x" * (limit + 1))}))
    assert error["code"] == "2050" and error["element"] == field
    assert error["Message"] == "String length is either shorter or longer than supported by specification"
    assert error["Detail"] == (
        f"String length specified does not match the supported length. Min:0 Max:{limit} supported. "
        f"Supplied length:{limit + 1}"
    )


def test_a_display_name_longer_than_500_is_refused(api):
    assert fault_of(api.post("customer", {"DisplayName": "x" * 501}))["code"] == "2050"


def test_a_vendor_credit_totals_its_expense_lines_and_keeps_them_as_its_balance(api, seeded):
    line = {
        "DetailType": "AccountBasedExpenseLineDetail",
        "Amount": Decimal("120.50"),
        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}, "CustomerRef": {"value": "2"}},
    }
    credit = api.create("vendorcredit", {"VendorRef": {"value": "15"}, "Line": [line, {**line, "Amount": 10}]})
    assert credit["TotalAmt"] == Decimal("130.50") and credit["Balance"] == Decimal("130.50")
    assert credit["APAccountRef"]["value"], "QuickBooks fills in the A/P account, as on a bill"
    assert fault_of(api.post("vendorcredit", {"Line": [line]}))["element"] == "VendorRef"
