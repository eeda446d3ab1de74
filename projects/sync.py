"""How projects, estimates and the project ledger follow QuickBooks: ingest, remove, and push estimates.

Registered with the sync engine in `ProjectsConfig.ready` (see `register`). Every ingest writes one page in one
database transaction with a fixed number of queries, whatever the page's size.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery

from quickbooks.sync.bulk import insert_rows
from quickbooks.sync.registry import (
    GraphQLSource,
    PulledEntity,
    PushedEntity,
    on_ingest,
    register_pull,
    register_push,
)

from . import ledger
from .models import Estimate, EstimateLine, LedgerLine, Project
from .qbo import day, iso, memo, money, number, plain, ref, ref_id, ref_name, updated_at
from .upsert import SYNCED_FIELDS, Incoming, synced, upsert

PROJECTS_QUERY = """
query Projects($first: PositiveInt!, $after: String, $filter: ProjectManagement_ProjectFilter!) {
  projectManagementProjects(first: $first, after: $after, filter: $filter) {
    edges { node {
      id name description type status priority customer { id } dueDate startDate completedDate
      completionRate pinned deleted
      emailAddress { email name }
      addresses { streetAddressLine1 streetAddressLine2 streetAddressLine3 postalCode city state country }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
# `deleted: true` lists deleted projects too, so a deletion in QuickBooks reaches Costline on the next pull.
PROJECTS_SOURCE = GraphQLSource(PROJECTS_QUERY, ("projectManagementProjects",), {"filter": {"deleted": True}})
PULL_ORDER = {"Project": 150, "Estimate": 200, "ledger": 200}

# Models holding `project_qbo_id` + `project`: linked when their project arrives after them. Other apps add theirs.
PROJECT_LINKED: list = [Estimate, LedgerLine]
ESTIMATE_LINKED: list = []  # change orders, which name their parent estimate


def link_projects_to(model) -> None:
    """Let `model` (company, project_qbo_id, project FK) have its project filled in when the project is pulled."""
    if model not in PROJECT_LINKED:
        PROJECT_LINKED.append(model)


def project_index(company) -> dict[str, int]:
    """The company's projects: QuickBooks id -> local pk (one query)."""
    return dict(Project.objects.filter(company=company).exclude(qbo_id="").values_list("qbo_id", "pk"))


def link_estimates_to(model) -> None:
    """Let `model` (company, estimate_qbo_id, estimate FK) have its estimate filled in when the estimate is pulled."""
    if model not in ESTIMATE_LINKED:
        ESTIMATE_LINKED.append(model)


def link_waiting_rows(models: list, target, name: str, company, qbo_ids) -> None:
    """Rows that named these objects before they were known get their foreign key `name` (one UPDATE a model)."""
    found = target.objects.filter(company=company, qbo_id=OuterRef(f"{name}_qbo_id")).values("pk")[:1]
    for model in models:
        waiting = model.objects.filter(company=company, **{f"{name}__isnull": True, f"{name}_qbo_id__in": qbo_ids})
        waiting.update(**{name: Subquery(found)})


def _link_waiting_rows(company, qbo_ids) -> None:
    link_waiting_rows(PROJECT_LINKED, Project, "project", company, list(qbo_ids))


def split_deleted(documents: list[dict]) -> tuple[list[dict], list[str]]:
    """Split CDC's answer: documents, and the Ids of "Deleted" stubs."""
    gone = [str(d["Id"]) for d in documents if d.get("status") == "Deleted"]
    return [d for d in documents if d.get("status") != "Deleted"], gone


# --- Projects: the Projects API (GraphQL) -------------------------------------------------------------------

GRAPHQL_FIELDS = [
    "name", "description", "type", "status", "priority", "customer_qbo_id", "start_date", "due_date",
    "completed_date", "completion_rate", "pinned", "email_addresses", "addresses", "deleted", "project_document",
]


def project_node_values(node: dict) -> dict:
    return {
        "name": node.get("name") or "", "description": node.get("description") or "", "type": node.get("type") or "",
        "status": node.get("status") or Project.Status.OTHER, "priority": node.get("priority"),
        "customer_qbo_id": str((node.get("customer") or {}).get("id") or ""),
        "start_date": day(node.get("startDate")), "due_date": day(node.get("dueDate")),
        "completed_date": day(node.get("completedDate")), "completion_rate": number(node.get("completionRate")),
        "pinned": bool(node.get("pinned")), "email_addresses": node.get("emailAddress") or [],
        "addresses": node.get("addresses") or [], "deleted": bool(node.get("deleted")),
        "project_document": _json_safe(node),
    }


def _json_safe(node: dict) -> dict:
    """The node for a plain JSONField: its one number with a fraction (completionRate) as a string."""
    rate = node.get("completionRate")
    return {**node, "completionRate": None if rate is None else str(rate)}


def _node_changed(obj, values: dict) -> bool:
    return values["project_document"] != obj.project_document


@transaction.atomic
def ingest_projects(company, nodes: list[dict]) -> int:
    """A page of projectManagementProjects nodes (deleted ones included) into Project rows."""
    incoming = [Incoming(str(node["id"]), project_node_values(node)) for node in nodes]
    written = upsert(Project, company, incoming, GRAPHQL_FIELDS, version=_node_changed,
                     document_field="project_document")
    _link_waiting_rows(company, [item.qbo_id for item in incoming])
    return written.count


@transaction.atomic
def remove_projects(company, qbo_ids: list[str]) -> int:
    """Projects deleted in QuickBooks stay as rows marked deleted: their estimates and ledger keep their history."""
    return Project.objects.filter(company=company, qbo_id__in=list(qbo_ids)).update(deleted=True)


# --- Projects: project customers (REST Customer with IsProject) ---------------------------------------------

CUSTOMER_FIELDS = ["name", "fully_qualified_name", "customer_qbo_id", "customer_name", "active", *SYNCED_FIELDS]


def project_customer_values(document: dict) -> dict:
    parent = document.get("ParentRef")
    values = {
        "name": document.get("DisplayName") or "", "fully_qualified_name": document.get("FullyQualifiedName") or "",
        "customer_qbo_id": ref_id(parent), "customer_name": ref_name(parent),
        "active": document.get("Active", True) is not False,
    }
    return {**values, **_synced(document)}


def _synced(document: dict) -> dict:
    return synced(document, sync_token=str(document.get("SyncToken", "")), updated_at=updated_at(document))


@transaction.atomic
def ingest_project_customers(company, customer_documents: list[dict]) -> int:
    """From a page of REST Customer documents, the projects (IsProject true) into Project rows; others ignored.

    Every plan with projects has these (Plus has no Projects API), so they are the projects' common ground.
    """
    projects = [d for d in customer_documents if d.get("IsProject") is True and d.get("status") != "Deleted"]
    incoming = [Incoming(str(d["Id"]), project_customer_values(d)) for d in projects]
    written = upsert(Project, company, incoming, CUSTOMER_FIELDS)
    _link_waiting_rows(company, [item.qbo_id for item in incoming])
    return written.count


# --- Estimates ----------------------------------------------------------------------------------------------

SALES_DOCUMENT_FIELDS = [
    "doc_number", "txn_date", "expiration_date", "status", "accepted_by", "accepted_date", "customer_qbo_id",
    "customer_name", "project_qbo_id", "project_id", "class_qbo_id", "class_name", "department_qbo_id",
    "department_name", "private_note", "customer_memo", "total_amount", "total_cost_amount", "total_tax",
]
ESTIMATE_FIELDS = [*SALES_DOCUMENT_FIELDS, *SYNCED_FIELDS]
LINE_DETAILS = ("SalesItemLineDetail", "DescriptionOnly", "DiscountLineDetail", "GroupLineDetail")


def sales_document_values(document: dict, projects: dict[str, int]) -> dict:
    """The fields estimates and change orders share, from a QuickBooks document."""
    customer, project = document.get("CustomerRef"), ref_id(document.get("ProjectRef"))
    klass, department = document.get("ClassRef"), document.get("DepartmentRef")
    return {
        "doc_number": document.get("DocNumber") or "", "txn_date": day(document.get("TxnDate")),
        "expiration_date": day(document.get("ExpirationDate")), "status": document.get("TxnStatus") or "Pending",
        "accepted_by": document.get("AcceptedBy") or "", "accepted_date": day(document.get("AcceptedDate")),
        "customer_qbo_id": ref_id(customer), "customer_name": ref_name(customer),
        "project_qbo_id": project, "project_id": projects.get(project),
        "class_qbo_id": ref_id(klass), "class_name": ref_name(klass),
        "department_qbo_id": ref_id(department), "department_name": ref_name(department),
        "private_note": document.get("PrivateNote") or "", "customer_memo": memo(document.get("CustomerMemo")),
        "total_amount": money(document.get("TotalAmt")), "total_cost_amount": number(document.get("TotalCostAmount")),
        "total_tax": money((document.get("TxnTaxDetail") or {}).get("TotalTax")),
        **_synced(document),
    }


def sales_line_values(line: dict) -> dict | None:
    """A stored line's fields; None for the SubTotal line QuickBooks appends (it is derived)."""
    detail_type = line.get("DetailType") or ""
    if detail_type not in LINE_DETAILS:
        return None
    detail = line.get("SalesItemLineDetail") or {}
    item, klass = detail.get("ItemRef"), detail.get("ClassRef")
    return {
        "line_id": str(line.get("Id") or ""), "line_num": int(line.get("LineNum") or 0), "detail_type": detail_type,
        "item_qbo_id": ref_id(item), "item_name": ref_name(item), "description": line.get("Description") or "",
        "qty": number(detail.get("Qty")), "unit_price": number(detail.get("UnitPrice")),
        "amount": money(line.get("Amount")), "unit_cost": number(detail.get("UnitCostPrice")),
        "cost_amount": number(line.get("CostAmount")), "tax_code": ref_id(detail.get("TaxCodeRef")),
        "class_qbo_id": ref_id(klass), "class_name": ref_name(klass),
    }


def _document_lines(parent) -> list[dict]:
    return parent.qbo_document.get("Line", [])


def replace_lines(line_model, parent_field: str, parents: list, values=sales_line_values,
                  lines_of=_document_lines) -> int:
    """Each parent's lines become those of its qbo_document: one DELETE and one INSERT for the lot."""
    if not parents:
        return 0
    line_model.objects.filter(**{f"{parent_field}__in": [p.pk for p in parents]}).delete()
    column = line_model._meta.get_field(parent_field).attname
    rows = []
    for parent in parents:
        for line in lines_of(parent):
            fields = values(line)
            if fields is not None:
                rows.append({**fields, column: parent.pk})
    return insert_rows(line_model, rows)


@transaction.atomic
def ingest_estimates(company, documents: list[dict]) -> int:
    documents, gone = split_deleted(documents)
    projects = project_index(company)
    incoming = [Incoming(str(d["Id"]), sales_document_values(d, projects)) for d in documents]
    written = upsert(Estimate, company, incoming, ESTIMATE_FIELDS)
    replace_lines(EstimateLine, "estimate", written.rows)
    link_waiting_rows(ESTIMATE_LINKED, Estimate, "estimate", company, [item.qbo_id for item in incoming])
    return written.count + (remove_estimates(company, gone) if gone else 0)


@transaction.atomic
def remove_estimates(company, qbo_ids: list[str]) -> int:
    """Deleted in QuickBooks: the local copies go too (their lines with them; change orders keep the estimate id)."""
    deleted, _ = Estimate.objects.filter(company=company, qbo_id__in=list(qbo_ids)).delete()
    return deleted


# --- Estimates: push ----------------------------------------------------------------------------------------


def _compact(values: dict) -> dict:
    return {key: value for key, value in values.items() if value not in (None, "", [])}


def sales_line_document(line) -> dict:
    """A stored line as QuickBooks takes it; only SalesItemLineDetail and DescriptionOnly lines are edited here."""
    head = _compact({"Id": line.line_id, "LineNum": line.line_num or None, "Description": line.description})
    if line.detail_type == "DescriptionOnly":
        return {**head, "DetailType": "DescriptionOnly", "DescriptionLineDetail": {}}
    detail = _compact({
        "ItemRef": ref(line.item_qbo_id, line.item_name), "Qty": plain(line.qty), "UnitPrice": plain(line.unit_price),
        "UnitCostPrice": plain(line.unit_cost), "TaxCodeRef": ref(line.tax_code),
        "ClassRef": ref(line.class_qbo_id, line.class_name),
    })
    body = {**head, "Amount": line.amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}
    return {**body, "CostAmount": line.cost_amount} if line.cost_amount is not None else body


def _project_name(obj) -> str:
    project = obj.project if obj.project_id else None
    return project.fully_qualified_name or project.name if project else ""


def sales_document(obj, lines) -> dict:
    """The fields Costline edits on an estimate or change order, as a QuickBooks document (no Id/SyncToken)."""
    return _compact({
        "DocNumber": obj.doc_number, "TxnDate": iso(obj.txn_date), "ExpirationDate": iso(obj.expiration_date),
        "CustomerRef": ref(obj.customer_qbo_id, obj.customer_name),
        "ProjectRef": ref(obj.project_qbo_id, _project_name(obj)),
        "ClassRef": ref(obj.class_qbo_id, obj.class_name),
        "DepartmentRef": ref(obj.department_qbo_id, obj.department_name),
        "TxnStatus": obj.status, "AcceptedBy": obj.accepted_by, "AcceptedDate": iso(obj.accepted_date),
        "PrivateNote": obj.private_note, "CustomerMemo": {"value": obj.customer_memo} if obj.customer_memo else None,
        "Line": [sales_line_document(line) for line in lines if line.detail_type in ("SalesItemLineDetail",
                                                                                     "DescriptionOnly")],
    })


def estimate_to_document(estimate: Estimate) -> dict:
    """Send as a sparse update (or a create): fields Costline does not keep stay as QuickBooks has them."""
    return sales_document(estimate, estimate.lines.order_by("line_num", "id"))


@transaction.atomic
def apply_estimate_document(estimate: Estimate, document: dict) -> Estimate:
    """QuickBooks' answer to a push becomes the local copy: ids, token, totals and lines; nothing left waiting."""
    values = sales_document_values(document, project_index(estimate.company))
    for name, value in values.items():
        setattr(estimate, name, value)
    estimate.qbo_id = str(document["Id"])
    estimate.save()
    replace_lines(EstimateLine, "estimate", [estimate])
    return estimate


def check_project_ref(obj) -> None:
    """DESIGN.md section 5: a ProjectRef must name a real project, or QuickBooks answers "Invalid ProjectRef"."""
    if not obj.customer_qbo_id:
        raise ValidationError("Choose the customer this is for.")
    if not obj.project_qbo_id:
        return
    project = Project.objects.filter(company_id=obj.company_id, qbo_id=obj.project_qbo_id).first()
    if project is None or project.deleted:
        raise ValidationError(
            f"QuickBooks has no project with id {obj.project_qbo_id}. Charge it to the customer instead (leave the "
            "project empty), or make the customer a project in QuickBooks and sync again.")


# --- The ledger -----------------------------------------------------------------------------------------------


def tagging(company) -> ledger.Tagging:
    rows = Project.objects.filter(company=company).exclude(qbo_id="").values_list("qbo_id", "customer_qbo_id")
    found = ledger.Tagging()
    for qbo_id, parent in rows:
        found.projects.add(qbo_id)
        if parent:
            found.parents.add(parent)
    return found


def ingest_ledger(txn_type: str, company, documents: list[dict]) -> int:
    """A page of one transaction type: its transactions' ledger lines are replaced by the new ones (idempotent)."""
    documents, gone = split_deleted(documents)
    found, projects = tagging(company), project_index(company)
    rows = [
        {**values, "company_id": company.pk, "project_id": projects.get(values["project_qbo_id"])}
        for document in documents for values in ledger.normalise(txn_type, document, found)
    ]
    with transaction.atomic():
        ids = [str(d["Id"]) for d in documents] + gone
        LedgerLine.objects.filter(company=company, txn_type=txn_type, txn_qbo_id__in=ids).delete()
        insert_rows(LedgerLine, rows)  # nothing reads the new rows' pks; model instances cost most of the time
    return len(rows)


def remove_ledger(txn_type: str, company, qbo_ids: list[str]) -> int:
    lines = LedgerLine.objects.filter(company=company, txn_type=txn_type, txn_qbo_id__in=list(qbo_ids))
    with transaction.atomic():
        deleted, _ = lines.delete()
    return deleted


def known_ledger_ids(txn_type: str, company) -> set[str]:
    """Transactions of this type with ledger lines: a whole pull that no longer sees one removes its lines."""
    lines = LedgerLine.objects.filter(company=company, txn_type=txn_type)
    return set(lines.values_list("txn_qbo_id", flat=True).distinct())


def known_ids(model):
    """For a whole pull: the QuickBooks ids of the company's local copies (those not yet sent have none)."""
    def ids(company) -> set[str]:
        return set(model.objects.filter(company=company).exclude(qbo_id="").values_list("qbo_id", flat=True))

    return ids


def _ledger_entity(txn_type: str) -> PulledEntity:
    return PulledEntity(
        name=txn_type,
        ingest=lambda company, documents: ingest_ledger(txn_type, company, documents),
        remove=lambda company, qbo_ids: remove_ledger(txn_type, company, qbo_ids),
        order=PULL_ORDER["ledger"],
        cdc=txn_type != "TimeActivity",  # Intuit's CDC does not serve TimeActivity
        known_ids=lambda company: known_ledger_ids(txn_type, company),
    )


def register() -> None:
    on_ingest("Customer", ingest_project_customers)
    register_pull(PulledEntity("Project", ingest_projects, remove_projects, order=PULL_ORDER["Project"],
                               graphql=PROJECTS_SOURCE, requires="projects_api"))
    register_pull(PulledEntity("Estimate", ingest_estimates, remove_estimates, order=PULL_ORDER["Estimate"],
                               known_ids=known_ids(Estimate)))
    register_push(PushedEntity("Estimate", Estimate, estimate_to_document, apply_estimate_document,
                               check=check_project_ref))
    for txn_type in ledger.TXN_TYPES:
        register_pull(_ledger_entity(txn_type))
