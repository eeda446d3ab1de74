"""QuickBooks document bodies, shaped the way the REST API returns them (docs/quickbooks-api.md and the
examples under tests/sandbox/fixtures/).

Both the demo companies (`sandbox.demo`, written through `sandbox.store`) and the scale data (`sandbox.scale`,
bulk-inserted) build their documents here, so the two paths cannot drift apart. Bodies carry no Id, SyncToken or
MetaData: the store (or `envelope` for bulk rows) adds those. Money is Decimal rounded to cents; quantities are
Decimal too, so every Amount is exactly `money(Qty x UnitPrice)` and every TotalAmt the exact sum of its lines.
"""

from datetime import date, timedelta
from decimal import Decimal

from sandbox.codec import money
from sandbox.timefmt import intuit_time

USD = {"value": "USD", "name": "United States Dollar"}
ZERO = Decimal("0.00")


def ref(document: dict) -> dict:
    """A reference to a stored object: `{"value": Id, "name": ...}` as QuickBooks writes it."""
    name = document.get("FullyQualifiedName") or document.get("DisplayName") or document.get("Name")
    return {"value": document["Id"], "name": name}


def envelope(body: dict, qbo_id: int, moment) -> dict:
    """What `store.create` adds to a body; used for bulk rows so they equal documents the store would write."""
    return {
        **body,
        "Id": str(qbo_id),
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"CreateTime": intuit_time(moment), "LastUpdatedTime": intuit_time(moment)},
    }


# --- Lines -------------------------------------------------------------------------------------------------------


def sales_line(num: int, item: dict, qty, unit_price, *, description="", unit_cost=None, linked_estimate=None):
    """A SalesItemLine; `unit_cost` adds the project-estimate cost fields, `linked_estimate` a change-order link."""
    qty, unit_price = Decimal(qty), money(unit_price)
    detail = {"ItemRef": ref(item), "UnitPrice": unit_price, "Qty": qty}
    if item.get("IncomeAccountRef"):
        detail["ItemAccountRef"] = item["IncomeAccountRef"]
    detail["TaxCodeRef"] = {"value": "TAX" if item.get("Taxable") else "NON"}
    line = {"Id": str(num), "LineNum": num, "Description": description or item.get("Description", "")}
    line.update({"Amount": money(qty * unit_price), "DetailType": "SalesItemLineDetail"})
    line["SalesItemLineDetail"] = detail
    if unit_cost is not None:
        detail["UnitCostPrice"] = money(unit_cost)
        line["CostAmount"] = line["HomeCostAmount"] = money(qty * money(unit_cost))
    if linked_estimate is not None:
        line["LinkedTxn"] = [{"TxnId": linked_estimate, "TxnType": "Estimate"}]
    return line


def item_expense_line(num: int, item: dict, qty, unit_cost, *, customer=None, project=None, billable="NotBillable"):
    """An ItemBasedExpenseLine (bills, expenses, purchase orders); `customer` charges it to a customer or project."""
    qty, unit_cost = Decimal(qty), money(unit_cost)
    detail = {"ItemRef": ref(item), "UnitPrice": unit_cost, "Qty": qty, "TaxCodeRef": {"value": "NON"}}
    detail["BillableStatus"] = billable
    if customer is not None:
        detail["CustomerRef"] = customer
    line = {"Id": str(num), "LineNum": num, "Description": item.get("PurchaseDesc") or item.get("Description", "")}
    line.update({"Amount": money(qty * unit_cost), "DetailType": "ItemBasedExpenseLineDetail"})
    line["ItemBasedExpenseLineDetail"] = detail
    if project is not None:
        line["ProjectRef"] = project
    return line


def account_expense_line(
    num: int, account: dict, amount, description: str, *, customer=None, project=None, billable="NotBillable"
):
    """An AccountBasedExpenseLine, charged to a customer or project through the line's CustomerRef."""
    detail = {"AccountRef": ref(account), "BillableStatus": billable, "TaxCodeRef": {"value": "NON"}}
    if customer is not None:
        detail["CustomerRef"] = customer
    line = {"Id": str(num), "LineNum": num, "Description": description, "Amount": money(amount)}
    line.update({"DetailType": "AccountBasedExpenseLineDetail", "AccountBasedExpenseLineDetail": detail})
    if project is not None:
        line["ProjectRef"] = project
    return line


def _tax_detail(lines: list, tax: dict | None) -> tuple[dict, Decimal]:
    """TxnTaxDetail for the lines coded TAX; `tax` is {"code": ref, "rate": ref, "percent": Decimal} or None."""
    taxable = sum((ln["Amount"] for ln in lines if ln["SalesItemLineDetail"]["TaxCodeRef"]["value"] == "TAX"), ZERO)
    if tax is None or taxable == 0:
        return {"TotalTax": ZERO}, ZERO
    total = money(taxable * tax["percent"] / 100)
    tax_line = {"TaxRateRef": tax["rate"], "PercentBased": True, "TaxPercent": tax["percent"]}
    tax_line["NetAmountTaxable"] = taxable
    detail = {"TxnTaxCodeRef": tax["code"], "TotalTax": total}
    detail["TaxLine"] = [{"Amount": total, "DetailType": "TaxLineDetail", "TaxLineDetail": tax_line}]
    return detail, total


# --- Sales transactions ------------------------------------------------------------------------------------------


def _sales(customer: dict, project: dict | None, lines: list, txn_date: date, doc_number: str, tax=None) -> dict:
    subtotal = sum((ln["Amount"] for ln in lines), ZERO)
    tax_detail, total_tax = _tax_detail(lines, tax)
    body = {"DocNumber": doc_number, "TxnDate": txn_date.isoformat(), "CurrencyRef": USD}
    body["Line"] = [*lines, {"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}]
    body["CustomerRef"] = customer
    if project is not None:
        body["ProjectRef"] = project
    body.update({"TxnTaxDetail": tax_detail, "ApplyTaxAfterDiscount": False, "TotalAmt": subtotal + total_tax})
    body.update({"PrintStatus": "NeedToPrint", "EmailStatus": "NotSet"})
    return body


def invoice(customer, project, lines, txn_date: date, doc_number: str, *, tax=None, paid=ZERO, estimate_id=None):
    """An Invoice; `paid` is what Payments already applied (Balance = TotalAmt - paid)."""
    body = _sales(customer, project, lines, txn_date, doc_number, tax)
    body["LinkedTxn"] = [{"TxnId": estimate_id, "TxnType": "Estimate"}] if estimate_id else []
    body["DueDate"] = (txn_date + timedelta(30)).isoformat()  # Net 30
    body["Balance"] = body["TotalAmt"] - money(paid)
    return body


def sales_receipt(customer, lines, txn_date: date, doc_number: str, deposit_account: dict, *, tax=None):
    body = _sales(customer, None, lines, txn_date, doc_number, tax)
    body.update({"Balance": ZERO, "DepositToAccountRef": ref(deposit_account)})
    return body


def _accepted(body: dict, status: str, accepted_by: str, accepted_date: date | None) -> dict:
    body["TxnStatus"] = status
    if status == "Accepted":
        body.update({"AcceptedBy": accepted_by, "AcceptedDate": accepted_date.isoformat()})
    body["TotalCostAmount"] = sum((ln.get("CostAmount", ZERO) for ln in body["Line"]), ZERO)
    body["HomeTotalCostAmount"] = body["TotalCostAmount"]
    return body


def estimate(
    customer,
    project,
    lines,
    txn_date: date,
    doc_number: str,
    *,
    status="Pending",
    accepted_by="",
    accepted_date=None,
    tax=None,
):
    """A project estimate (Project Cost Estimate when `project` is set): lines carry CostAmount/UnitCostPrice."""
    body = _sales(customer, project, lines, txn_date, doc_number, tax)
    body["ExpirationDate"] = (txn_date + timedelta(30)).isoformat()
    return _accepted(body, status, accepted_by, accepted_date)


def change_order(
    customer,
    project,
    estimate_id: str,
    lines,
    txn_date: date,
    doc_number: str,
    *,
    status="Pending",
    accepted_by="",
    accepted_date=None,
    tax=None,
    memo="",
):
    """A ChangeOrder against one parent project estimate: the header and every item line link that estimate."""
    body = _sales(customer, project, lines, txn_date, doc_number, tax)
    body["LinkedTxn"] = [{"TxnId": estimate_id, "TxnType": "Estimate"}]
    body["ExpirationDate"] = (txn_date + timedelta(30)).isoformat()
    if memo:
        body["CustomerMemo"] = {"value": memo}
    return _accepted(body, status, accepted_by, accepted_date)


def payment(customer, project, applied: list[tuple[str, Decimal]], txn_date: date, deposit_account: dict, ref_num=""):
    """A Payment applying amounts to invoices: `applied` is [(invoice Id, amount)]."""
    lines = [{"Amount": money(amt), "LinkedTxn": [{"TxnId": inv, "TxnType": "Invoice"}]} for inv, amt in applied]
    body = {"TxnDate": txn_date.isoformat(), "CurrencyRef": USD, "CustomerRef": customer}
    if project is not None:
        body["ProjectRef"] = project
    body.update({"DepositToAccountRef": ref(deposit_account), "PaymentRefNum": ref_num, "Line": lines})
    body.update({"TotalAmt": sum((ln["Amount"] for ln in lines), ZERO), "UnappliedAmt": ZERO, "ProcessPayment": False})
    return body


# --- Purchase transactions ---------------------------------------------------------------------------------------


def _expense_total(lines: list) -> Decimal:
    return sum((ln["Amount"] for ln in lines), ZERO)


def bill(vendor: dict, ap_account: dict, lines: list, txn_date: date, doc_number: str, *, terms_days=30, paid=ZERO):
    body = {"DocNumber": doc_number, "TxnDate": txn_date.isoformat(), "CurrencyRef": USD, "Line": lines}
    body.update({"VendorRef": ref(vendor), "APAccountRef": ref(ap_account)})
    body["DueDate"] = (txn_date + timedelta(terms_days)).isoformat()
    body["TotalAmt"] = _expense_total(lines)
    body["Balance"] = body["TotalAmt"] - money(paid)
    return body


def vendor_credit(vendor: dict, ap_account: dict, lines: list, txn_date: date, doc_number: str):
    """A VendorCredit: the supplier owes us (goods returned); its lines, charged to a project, lower its cost."""
    body = {"DocNumber": doc_number, "TxnDate": txn_date.isoformat(), "CurrencyRef": USD, "Line": lines}
    body.update({"VendorRef": ref(vendor), "APAccountRef": ref(ap_account)})
    body["TotalAmt"] = _expense_total(lines)
    body["Balance"] = body["TotalAmt"]
    return body


def purchase(
    payee: dict, payee_type: str, account: dict, payment_type: str, lines: list, txn_date: date, doc_number=""
):
    """An expense (Purchase) paid by Cash, Check or CreditCard from `account`."""
    body = {"TxnDate": txn_date.isoformat(), "CurrencyRef": USD, "PaymentType": payment_type}
    if doc_number:
        body["DocNumber"] = doc_number
    body.update({"AccountRef": ref(account), "EntityRef": {**ref(payee), "type": payee_type}, "Line": lines})
    if payment_type == "CreditCard":
        body["Credit"] = False
    body["TotalAmt"] = _expense_total(lines)
    return body


def purchase_order(vendor: dict, ap_account: dict, lines: list, txn_date: date, doc_number: str, *, status="Open"):
    body = {"DocNumber": doc_number, "TxnDate": txn_date.isoformat(), "CurrencyRef": USD, "Line": lines}
    body.update({"VendorRef": ref(vendor), "APAccountRef": ref(ap_account), "POStatus": status})
    body["DueDate"] = (txn_date + timedelta(14)).isoformat()
    body["TotalAmt"] = _expense_total(lines)
    return body


def time_activity(
    employee: dict,
    customer: dict,
    project: dict | None,
    item: dict,
    txn_date: date,
    hours: int,
    minutes=0,
    *,
    description="",
    billable=True,
):
    """A TimeActivity by an employee, charged to a project (CustomerRef = the project's customer record)."""
    body = {"TxnDate": txn_date.isoformat(), "NameOf": "Employee", "EmployeeRef": ref(employee)}
    body["CustomerRef"] = customer
    if project is not None:
        body["ProjectRef"] = project
    body.update({"ItemRef": ref(item), "BillableStatus": "Billable" if billable else "NotBillable", "Taxable": False})
    body.update({"HourlyRate": employee["BillRate"], "CostRate": employee["CostRate"]})
    body.update({"Hours": hours, "Minutes": minutes, "Description": description or item.get("Name", "")})
    return body


# --- Name lists --------------------------------------------------------------------------------------------------


def customer(
    display_name: str,
    *,
    company="",
    given="",
    family="",
    email="",
    phone="",
    city="Oakland",
    street="",
    postal="94607",
    taxable=True,
) -> dict:
    body = {"DisplayName": display_name, "FullyQualifiedName": display_name, "PrintOnCheckName": display_name}
    if company:
        body["CompanyName"] = company
    if given or family:
        body.update({"GivenName": given, "FamilyName": family})
    if email:
        body["PrimaryEmailAddr"] = {"Address": email}
    if phone:
        body["PrimaryPhone"] = {"FreeFormNumber": phone}
    if street:
        body["BillAddr"] = {"Line1": street, "City": city, "CountrySubDivisionCode": "CA", "PostalCode": postal}
    body.update({"Job": False, "IsProject": False, "BillWithParent": False, "Taxable": taxable, "Active": True})
    body.update({"Balance": ZERO, "BalanceWithJobs": ZERO, "CurrencyRef": USD, "PreferredDeliveryMethod": "Email"})
    return body


def sub_customer(parent: dict, name: str, *, is_project: bool, project: dict | None = None) -> dict:
    """A job under `parent`: a real project (`is_project`, fields under `_project`) or a plain sub-customer."""
    fqn = f"{parent['FullyQualifiedName']}:{name}"
    body = {"DisplayName": name, "FullyQualifiedName": fqn, "PrintOnCheckName": parent["PrintOnCheckName"]}
    body.update({"Job": True, "IsProject": is_project, "ParentRef": ref(parent), "Level": 1, "BillWithParent": True})
    body.update({"Taxable": parent.get("Taxable", True), "Active": True, "Balance": ZERO, "BalanceWithJobs": ZERO})
    body.update({"CurrencyRef": USD, "PreferredDeliveryMethod": "Email"})
    if is_project:
        body["_project"] = project or {}
    return body


def project_fields(
    name: str, description: str, status: str, priority: int, start: date, due: date, completion: int, pinned: bool
) -> dict:
    """The Projects API's fields for a project customer, dates in the GraphQL API's ISO form."""
    completed = due if status == "COMPLETE" else None
    return {
        "name": name,
        "description": description,
        "type": None,
        "status": status,
        "priority": priority,
        "startDate": _gql_date(start),
        "dueDate": _gql_date(due),
        "completedDate": _gql_date(completed) if completed else None,
        "completionRate": Decimal(completion),
        "pinned": pinned,
        "emailAddress": [],
        "addresses": [],
        "deleted": False,
    }


def _gql_date(day: date) -> str:
    return f"{day.isoformat()}T00:00:00.000Z"


def account(name: str, account_type: str, sub_type: str, number: str) -> dict:
    classification = {
        "Bank": "Asset",
        "Accounts Receivable": "Asset",
        "Other Current Asset": "Asset",
        "Accounts Payable": "Liability",
        "Credit Card": "Liability",
        "Other Current Liability": "Liability",
        "Equity": "Equity",
        "Income": "Revenue",
        "Cost of Goods Sold": "Expense",
        "Expense": "Expense",
    }[account_type]
    body = {"Name": name, "FullyQualifiedName": name, "AcctNum": number, "AccountType": account_type}
    body.update({"AccountSubType": sub_type, "Classification": classification, "SubAccount": False, "Active": True})
    body.update({"CurrentBalance": ZERO, "CurrentBalanceWithSubAccounts": ZERO, "CurrencyRef": USD})
    return body


def item(
    name: str, item_type: str, description: str, price, cost, income: dict, expense: dict, *, taxable: bool
) -> dict:
    body = {"Name": name, "FullyQualifiedName": name, "Type": item_type, "Description": description}
    body.update({"PurchaseDesc": description, "UnitPrice": money(price), "PurchaseCost": money(cost)})
    body.update({"IncomeAccountRef": ref(income), "ExpenseAccountRef": ref(expense), "Taxable": taxable})
    body.update({"Active": True, "SubItem": False, "TrackQtyOnHand": False})
    return body


def employee(given: str, family: str, number: str, bill_rate, cost_rate, hired: date) -> dict:
    name = f"{given} {family}"
    body = {"GivenName": given, "FamilyName": family, "DisplayName": name, "PrintOnCheckName": name}
    body.update({"EmployeeNumber": number, "BillableTime": True, "BillRate": money(bill_rate)})
    body.update({"CostRate": money(cost_rate), "HiredDate": hired.isoformat(), "Active": True})
    return body


def vendor(display_name: str, *, email="", is_1099=False, city="Oakland") -> dict:
    body = {"DisplayName": display_name, "CompanyName": display_name, "PrintOnCheckName": display_name}
    if email:
        body["PrimaryEmailAddr"] = {"Address": email}
    body["BillAddr"] = {"City": city, "CountrySubDivisionCode": "CA"}
    body.update({"Vendor1099": is_1099, "Balance": ZERO, "CurrencyRef": USD, "Active": True})
    return body


def named(name: str, *, sub_flag: str) -> dict:
    """A Class or Department (Location): `sub_flag` is "SubClass" or "SubDepartment"."""
    return {"Name": name, "FullyQualifiedName": name, sub_flag: False, "Active": True}


def tax_code(name: str, description: str, *, taxable: bool, rates: list[dict] = ()) -> dict:
    details = [{"TaxRateRef": rate, "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0} for rate in rates]
    body = {"Name": name, "Description": description, "Active": True, "Hidden": False, "Taxable": taxable}
    body.update({"TaxGroup": bool(rates), "SalesTaxRateList": {"TaxRateDetail": details}})
    body["PurchaseTaxRateList"] = {"TaxRateDetail": []}
    return body
