"""Server-side arithmetic QuickBooks does on every transaction: line amounts, subtotal, discount, tax and totals.

Everything is Decimal; each amount is rounded to cents once, with `codec.money`. Client values for read-only
totals (TotalAmt, Balance, TxnTaxDetail.TotalTax...) are overwritten, as QuickBooks does.
"""

from decimal import Decimal

from ..codec import money
from ..errors import business_validation
from .faults import amount_mismatch, invalid_tax_code, required_param

ZERO = Decimal(0)
ITEM_DETAILS = ("SalesItemLineDetail", "ItemBasedExpenseLineDetail")
SALES_AMOUNT_TYPES = ("SalesItemLineDetail", "GroupLineDetail")


def _dec(value) -> Decimal:
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def line_amount(line: dict) -> None:
    """Amount = Qty x UnitPrice when both are given (6070 if a supplied Amount disagrees); cost likewise."""
    detail = next((line[k] for k in ITEM_DETAILS if isinstance(line.get(k), dict)), None)
    qty = price = None
    if detail is not None:
        qty, price = detail.get("Qty"), detail.get("UnitPrice")
    if qty is not None and price is not None:
        computed = money(_dec(qty) * _dec(price))
        if "Amount" in line and money(_dec(line["Amount"])) != computed:
            raise amount_mismatch(line["Amount"])
        line["Amount"] = computed
    elif "Amount" in line:
        line["Amount"] = money(_dec(line["Amount"]))
        if qty and price is None and detail is not None:
            detail["UnitPrice"] = _dec(line["Amount"]) / _dec(qty)
    elif line.get("DetailType") != "DescriptionOnly":
        raise required_param("Line.Amount")
    _line_cost(line, detail, qty)


def _line_cost(line: dict, detail: dict | None, qty) -> None:
    """Project estimate cost: CostAmount = UnitCostPrice x Qty when a unit cost is given (it wins over CostAmount)."""
    unit_cost = (detail or {}).get("UnitCostPrice")
    if unit_cost is not None and qty is not None:
        line["CostAmount"] = money(_dec(unit_cost) * _dec(qty))
    elif "CostAmount" in line:
        line["CostAmount"] = money(_dec(line["CostAmount"]))
    if "HomeCostAmount" in line and "CostAmount" in line:
        line["HomeCostAmount"] = line["CostAmount"]


def number_lines(lines: list[dict]) -> None:
    """Lines without an Id get the next free one; LineNum follows position. Subtotal lines carry neither."""
    taken = [int(line["Id"]) for line in lines if str(line.get("Id", "")).isdigit()]
    next_id = max(taken, default=0) + 1
    for position, line in enumerate(lines, start=1):
        if "Id" not in line or not str(line["Id"]).isdigit():
            line["Id"] = str(next_id)
            next_id += 1
        line.setdefault("LineNum", position)


def check_tax_codes(lines: list[dict], us_company: bool) -> None:
    """US companies use the pseudo codes TAX and NON on lines (6100 otherwise); absent means NON."""
    for line in lines:
        detail = line.get("SalesItemLineDetail")
        if not isinstance(detail, dict):
            continue
        code = detail.setdefault("TaxCodeRef", {"value": "NON"})
        if us_company and str(code.get("value")) not in ("TAX", "NON"):
            raise invalid_tax_code(code.get("value"))


def sales_totals(document: dict, rates: list[tuple[dict, Decimal]]) -> None:
    """Subtotal, discount, tax and TotalAmt of a sales form; rebuilds the server's SubTotalLine."""
    lines = [line for line in document.get("Line", []) if line.get("DetailType") != "SubTotalLineDetail"]
    for line in lines:
        if line.get("DetailType") != "DiscountLineDetail":
            line_amount(line)
    number_lines([line for line in lines if line.get("DetailType") != "DiscountLineDetail"])
    subtotal = sum((line["Amount"] for line in lines if line.get("DetailType") in SALES_AMOUNT_TYPES), ZERO)
    discount = sum(
        (_discount(line, subtotal) for line in lines if line.get("DetailType") == "DiscountLineDetail"), ZERO
    )
    taxable = _taxable(lines, subtotal, discount, document.get("ApplyTaxAfterDiscount"))
    tax_lines = [_tax_line(rate_ref, percent, taxable) for rate_ref, percent in rates]
    tax = sum((line["Amount"] for line in tax_lines), ZERO)
    position = next((i for i, line in enumerate(lines) if line.get("DetailType") == "DiscountLineDetail"), len(lines))
    lines.insert(position, {"Amount": money(subtotal), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
    document["Line"] = lines
    document["TxnTaxDetail"] = _tax_detail(document.get("TxnTaxDetail") or {}, tax, tax_lines)
    document["TotalAmt"] = money(subtotal - discount + tax)
    costs = [line["CostAmount"] for line in lines if "CostAmount" in line]
    if costs:
        document["TotalCostAmount"] = money(sum(costs, ZERO))
    else:
        document.pop("TotalCostAmount", None)


def _tax_line(rate_ref: dict, percent: Decimal, taxable: Decimal) -> dict:
    detail = {"TaxRateRef": rate_ref, "PercentBased": True, "TaxPercent": percent, "NetAmountTaxable": money(taxable)}
    return {"Amount": money(taxable * percent / 100), "DetailType": "TaxLineDetail", "TaxLineDetail": detail}


def _tax_detail(sent: dict, tax: Decimal, tax_lines: list[dict]) -> dict:
    """TotalTax always; the per-rate TaxLine only when the client names a TxnTaxCodeRef.

    tests/sandbox/fixtures/qbo_seed_001_project_examples.json shows neither.
    """
    detail = {"TotalTax": money(tax)}
    if sent.get("TxnTaxCodeRef"):
        detail = {"TxnTaxCodeRef": sent["TxnTaxCodeRef"], **detail, "TaxLine": tax_lines}
    return detail


def _discount(line: dict, subtotal: Decimal) -> Decimal:
    detail = line.get("DiscountLineDetail") or {}
    if detail.get("PercentBased") and detail.get("DiscountPercent") is not None:
        line["Amount"] = money(subtotal * _dec(detail["DiscountPercent"]) / 100)
    elif "Amount" in line:
        line["Amount"] = money(_dec(line["Amount"]))
    else:
        raise required_param("Line.Amount")
    return line["Amount"]


def _taxable(lines: list[dict], subtotal: Decimal, discount: Decimal, after_discount) -> Decimal:
    base = sum(
        (
            line["Amount"]
            for line in lines
            if str(((line.get("SalesItemLineDetail") or {}).get("TaxCodeRef") or {}).get("value")) == "TAX"
        ),
        ZERO,
    )
    if after_discount and subtotal:
        base = base * (subtotal - discount) / subtotal
    return base


def expense_totals(document: dict, *, bill: bool = False) -> None:
    """Bill, Purchase, PurchaseOrder, VendorCredit: TotalAmt is the sum of the expense lines."""
    lines = document.get("Line", [])
    for line in lines:
        line_amount(line)
        detail = line.get("AccountBasedExpenseLineDetail") or line.get("ItemBasedExpenseLineDetail")
        if isinstance(detail, dict):
            detail.setdefault("BillableStatus", "NotBillable")
            detail.setdefault("TaxCodeRef", {"value": "NON"})
        if bill:  # qbo_seed_001_project_examples.json: bill lines come back with an empty LinkedTxn
            line.setdefault("LinkedTxn", [])
    number_lines(lines)
    document["TotalAmt"] = money(sum((line["Amount"] for line in lines), ZERO))


def payment_totals(document: dict) -> Decimal:
    """Payment: TotalAmt is required; lines apply it to invoices; the rest is UnappliedAmt. Returns the applied sum."""
    if document.get("TotalAmt") is None:
        raise required_param("TotalAmt")
    total = money(_dec(document["TotalAmt"]))
    lines = document.get("Line", [])
    for line in lines:
        line["Amount"] = money(_dec(line.get("Amount", 0)))
    applied = sum((line["Amount"] for line in lines), ZERO)
    if applied > total:
        raise business_validation(
            "Business Validation Error: The amount applied to transactions exceeds the payment's TotalAmt.",
            element="Line.Amount",
        )
    document["TotalAmt"] = total
    document["UnappliedAmt"] = money(total - applied)
    return applied


def journal_totals(document: dict) -> None:
    """JournalEntry: debits must equal credits; TotalAmt is the debit side."""
    sides = {"Debit": ZERO, "Credit": ZERO}
    lines = document.get("Line", [])
    for line in lines:
        line_amount(line)
        posting = (line.get("JournalEntryLineDetail") or {}).get("PostingType")
        if posting not in sides:
            raise required_param("Line.JournalEntryLineDetail.PostingType")
        sides[posting] += line["Amount"]
    if sides["Debit"] != sides["Credit"]:
        raise business_validation(
            "Business Validation Error: Journal Entry must be balanced: total debits "
            f"{sides['Debit']} do not equal total credits {sides['Credit']}."
        )
    number_lines(lines)
    document["TotalAmt"] = money(sides["Debit"])
