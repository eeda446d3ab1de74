"""What estimates and change orders share: their QuickBooks documents read into fields, and written back.

`sales_document_values` and `sales_line_values` map a pulled document; `sales_document` builds the document
Costline sends. Change orders (the changeorders app) add their parent estimate to these.
"""

from quickbooks.sync.documents import day, iso, memo, money, number, plain, ref, ref_id, ref_name
from quickbooks.sync.upsert import SYNCED_FIELDS, synced_rest

SALES_DOCUMENT_FIELDS = [
    "doc_number",
    "txn_date",
    "expiration_date",
    "status",
    "accepted_by",
    "accepted_date",
    "customer_qbo_id",
    "customer_name",
    "project_qbo_id",
    "project_id",
    "class_qbo_id",
    "class_name",
    "department_qbo_id",
    "department_name",
    "private_note",
    "customer_memo",
    "total_amount",
    "total_cost_amount",
    "total_tax",
    "booked_status",
    "booked_subtotal",
    "booked_cost",
    *SYNCED_FIELDS,
]
LINE_DETAILS = ("SalesItemLineDetail", "DescriptionOnly", "DiscountLineDetail", "GroupLineDetail")
EDITED_LINE_DETAILS = ("SalesItemLineDetail", "DescriptionOnly")  # the lines Costline's forms write


def sales_document_values(document: dict, projects: dict[str, int]) -> dict:
    """The fields estimates and change orders share, from a QuickBooks document."""
    customer, project = document.get("CustomerRef"), ref_id(document.get("ProjectRef"))
    klass, department = document.get("ClassRef"), document.get("DepartmentRef")
    return {
        "doc_number": document.get("DocNumber") or "",
        "txn_date": day(document.get("TxnDate")),
        "expiration_date": day(document.get("ExpirationDate")),
        "status": document.get("TxnStatus") or "Pending",
        "accepted_by": document.get("AcceptedBy") or "",
        "accepted_date": day(document.get("AcceptedDate")),
        "customer_qbo_id": ref_id(customer),
        "customer_name": ref_name(customer),
        "project_qbo_id": project,
        "project_id": projects.get(project),
        "class_qbo_id": ref_id(klass),
        "class_name": ref_name(klass),
        "department_qbo_id": ref_id(department),
        "department_name": ref_name(department),
        "private_note": document.get("PrivateNote") or "",
        "customer_memo": memo(document.get("CustomerMemo")),
        "total_amount": money(document.get("TotalAmt")),
        "total_cost_amount": number(document.get("TotalCostAmount")),
        "total_tax": money((document.get("TxnTaxDetail") or {}).get("TotalTax")),
        **booked_values(document),
        **synced_rest(document),
    }


def booked_values(document: dict) -> dict:
    """What the books count of a QuickBooks estimate or change order: its status, total before tax (sales tax is
    not revenue) and cost, as QuickBooks holds them."""
    tax = money((document.get("TxnTaxDetail") or {}).get("TotalTax"))
    return {
        "booked_status": document.get("TxnStatus") or "Pending",
        "booked_subtotal": money(document.get("TotalAmt")) - tax,
        "booked_cost": number(document.get("TotalCostAmount")),
    }


def sales_line_values(line: dict) -> dict | None:
    """A stored line's fields; None for the SubTotal line QuickBooks appends (it is derived)."""
    detail_type = line.get("DetailType") or ""
    if detail_type not in LINE_DETAILS:
        return None
    detail = line.get("SalesItemLineDetail") or {}
    item, klass = detail.get("ItemRef"), detail.get("ClassRef")
    return {
        "line_id": str(line.get("Id") or ""),
        "line_num": int(line.get("LineNum") or 0),
        "detail_type": detail_type,
        "item_qbo_id": ref_id(item),
        "item_name": ref_name(item),
        "description": line.get("Description") or "",
        "qty": number(detail.get("Qty")),
        "unit_price": number(detail.get("UnitPrice")),
        "amount": money(line.get("Amount")),
        "unit_cost": number(detail.get("UnitCostPrice")),
        "cost_amount": number(line.get("CostAmount")),
        "tax_code": ref_id(detail.get("TaxCodeRef")),
        "class_qbo_id": ref_id(klass),
        "class_name": ref_name(klass),
    }


def _compact(values: dict) -> dict:
    return {key: value for key, value in values.items() if value not in (None, "", [])}


def sales_line_document(line) -> dict:
    """A stored line as QuickBooks takes it; only SalesItemLineDetail and DescriptionOnly lines are edited here."""
    head = _compact({"Id": line.line_id, "LineNum": line.line_num or None, "Description": line.description})
    if line.detail_type == "DescriptionOnly":
        return {**head, "DetailType": "DescriptionOnly", "DescriptionLineDetail": {}}
    detail = _compact(
        {
            "ItemRef": ref(line.item_qbo_id, line.item_name),
            "Qty": plain(line.qty),
            "UnitPrice": plain(line.unit_price),
            "UnitCostPrice": plain(line.unit_cost),
            "TaxCodeRef": ref(line.tax_code),
            "ClassRef": ref(line.class_qbo_id, line.class_name),
        }
    )
    body = {**head, "Amount": line.amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}
    return {**body, "CostAmount": line.cost_amount} if line.cost_amount is not None else body


def _project_name(obj) -> str:
    project = obj.project if obj.project_id else None
    return project.fully_qualified_name or project.name if project else ""


def sales_document(obj, lines) -> dict:
    """The fields Costline edits on an estimate or change order, as a QuickBooks document (no Id/SyncToken)."""
    return _compact(
        {
            "DocNumber": obj.doc_number,
            "TxnDate": iso(obj.txn_date),
            "ExpirationDate": iso(obj.expiration_date),
            "CustomerRef": ref(obj.customer_qbo_id, obj.customer_name),
            "ProjectRef": ref(obj.project_qbo_id, _project_name(obj)),
            "ClassRef": ref(obj.class_qbo_id, obj.class_name),
            "DepartmentRef": ref(obj.department_qbo_id, obj.department_name),
            "TxnStatus": obj.status,
            "AcceptedBy": obj.accepted_by,
            "AcceptedDate": iso(obj.accepted_date),
            "PrivateNote": obj.private_note,
            "CustomerMemo": {"value": obj.customer_memo} if obj.customer_memo else None,
            "Line": [sales_line_document(line) for line in lines if line.detail_type in EDITED_LINE_DETAILS],
        }
    )
