"""Resolvers of the Projects GraphQL API (Intuit "Project" reference: projectManagement* queries and mutations).

A project IS a QuickBooks Customer: a sub-customer with `Job` and `IsProject` true whose `ParentRef` is the
project's customer. Intuit does not say whether the GraphQL project id equals that Customer's Id;
the sandbox chooses yes, so `ProjectRef.value` on REST transactions is the project id and the Customer Id at once.
Fields only the Projects API knows (status, dates, priority...) live in the Customer document under
`PROJECT_KEY`, which the REST layer does not echo. Every write goes through `sandbox.store`, so SyncToken,
MetaData, CDC and webhooks see project changes as Customer updates.
"""

import re

from sandbox import store
from sandbox.errors import QBOFault
from sandbox.gateway import PROJECTS_SCOPE
from sandbox.models import Entity

from .errors import Forbidden, atomic_resolver, insufficient_scope, project_error

PROJECT_KEY = store.PROJECT_KEY  # the Customer document's key for project-only fields; REST must not echo it
NAME_OWNERS = ("Customer", "Vendor", "Employee")  # one DisplayName across these (docs/quickbooks-api.md, REST requests)
PROJECT_FIELDS = (
    "description",
    "type",
    "status",
    "priority",
    "dueDate",
    "startDate",
    "completedDate",
    "completedBy",
    "completionRate",
    "pinned",
    "emailAddress",
    "addresses",
)
# In this order: a new project's `_project` is written from it. status and deleted as the store indexes them.
DEFAULTS = {
    "status": store.PROJECT_DEFAULTS["status"],
    "pinned": False,
    "emailAddress": [],
    "addresses": [],
    "deleted": store.PROJECT_DEFAULTS["deleted"],
}
EMAIL_RE = re.compile(r".+@.+\..+")  # the seed's `@pattern(regex: ".+@.+\\..+")` on Qb_EmailAddressInput.email


def guard(info):
    """The Projects API needs its own scope (200 + AHZ-0010) and a company that has it (403 Forbidden)."""
    if PROJECTS_SCOPE not in info.context["grant"].scopes.split():
        raise insufficient_scope()
    realm = info.context["realm"]
    if not realm.has_premium_apis:
        raise Forbidden("The Projects API is not available for this company's QuickBooks subscription")
    return realm


def is_project(document: dict) -> bool:
    return document.get("IsProject") is True


def node(entity: Entity, realm) -> dict:
    """The GraphQL ProjectManagement_Project for a project Customer."""
    document = entity.document
    extra = {**DEFAULTS, **document.get(PROJECT_KEY, {})}
    parent = document.get("ParentRef") or {}
    return {
        **{field: extra.get(field) for field in PROJECT_FIELDS},
        "id": document["Id"],
        "name": document.get("DisplayName"),
        "customer": {"id": parent["value"]} if parent.get("value") else None,
        "account": {"id": realm.realm_id},
        "assignee": extra.get("assignee"),
        "deleted": extra["deleted"],
    }


def load_project(realm, project_id, *, for_update: bool = False) -> Entity:
    try:
        entity = store.get(realm, "Customer", project_id, for_update=for_update)
    except QBOFault:
        entity = None
    if entity is None or not is_project(entity.document):
        raise project_error("PROJECT_NOT_FOUND", f"Project not found: {project_id}", classification="NOT_FOUND")
    return entity


# ---- validation ----


def _check_name(realm, name, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise project_error("NAME_REQUIRED", "The project name is required")
    if len(name) > 500:
        raise project_error("NAME_TOO_LONG", "The project name can be at most 500 characters")
    if ":" in name:  # QuickBooks builds FullyQualifiedName with ':' (names with a colon are refused)
        raise project_error("INVALID_NAME", "The project name cannot contain a colon")
    owners = Entity.objects.filter(realm=realm, type__in=NAME_OWNERS, deleted=False, name__iexact=name)
    if owners.exclude(pk=exclude_pk).exists():
        raise project_error("DUPLICATE_NAME", f"Another customer, vendor, employee or project is named {name}")
    return name


def _check_customer(realm, customer) -> Entity:
    if not customer or not customer.get("id"):
        raise project_error("CUSTOMER_REQUIRED", "The customer for whom the project is created is required")
    try:
        entity = store.get(realm, "Customer", customer["id"])
    except QBOFault:
        entity = None
    if entity is None or is_project(entity.document) or entity.document.get("Active") is False:
        raise project_error("INVALID_CUSTOMER", f"Customer {customer['id']} is not an active customer")
    return entity


def _check_priority(priority):
    if priority is not None and not 0 <= priority <= 9:
        raise project_error("INVALID_PRIORITY", "The priority must be between 0 and 9")
    return priority


def _check_completion_rate(rate):
    if rate is not None and not 0 <= rate <= 100:
        raise project_error("INVALID_COMPLETION_RATE", "The completion rate must be between 0 and 100")
    return rate


def _check_emails(emails):
    for address in emails or []:
        if address and not EMAIL_RE.fullmatch(address["email"]):
            raise project_error("INVALID_EMAIL", f"Not an email address: {address['email']}")
    return [address for address in emails or [] if address]


def _check_addresses(addresses):
    return [address for address in addresses or [] if address]


CHECKS = {
    "priority": _check_priority,
    "completionRate": _check_completion_rate,
    "emailAddress": _check_emails,
    "addresses": _check_addresses,
    "status": lambda status: status or DEFAULTS["status"],
    "pinned": lambda pinned: bool(pinned),
}


# ---- the Customer document ----


def _current_parent(realm, document: dict) -> Entity | None:
    try:
        return store.get(realm, "Customer", (document.get("ParentRef") or {}).get("value"))
    except QBOFault:  # a project made in QuickBooks without a parent we know: keep its names as they are
        return None


def _place(document: dict, parent: Entity | None) -> None:
    """ParentRef, Level and FullyQualifiedName ("Customer:Project") from the parent and DisplayName."""
    if parent is None:
        return
    parent_doc = parent.document
    document["ParentRef"] = {"value": parent_doc["Id"], "name": parent_doc.get("DisplayName", "")}
    document["Level"] = int(parent_doc.get("Level") or 0) + 1
    parent_name = parent_doc.get("FullyQualifiedName") or parent_doc.get("DisplayName", "")
    document["FullyQualifiedName"] = f"{parent_name}:{document['DisplayName']}"


def _apply(realm, document: dict, changes: dict, exclude_pk=None) -> dict:
    """The Customer document after `changes` (GraphQL input fields; absent = unchanged, null = cleared)."""
    document = {**document, PROJECT_KEY: dict(document.get(PROJECT_KEY, {}))}
    if "name" in changes:
        document["DisplayName"] = _check_name(realm, changes["name"], exclude_pk)
    if "customer" in changes:
        _place(document, _check_customer(realm, changes["customer"]))
    elif "name" in changes:
        _place(document, _current_parent(realm, document))
    # `account` is always the token's company: Intuit's own samples send one id and answer another.
    for field in PROJECT_FIELDS:
        if field in changes:
            document[PROJECT_KEY][field] = CHECKS.get(field, lambda value: value)(changes[field])
    return document


def _save(realm, entity: Entity, changes: dict) -> dict:
    document = entity.document
    if document.get(PROJECT_KEY, {}).get("deleted"):
        raise project_error("PROJECT_DELETED", f"Project {document['Id']} is deleted")
    entity = store.save(entity, _apply(realm, document, changes, exclude_pk=entity.pk))
    return node(entity, realm)


# ---- resolvers ----


def resolve_project(_root, info, id):
    """projectManagementProject(id) - Intuit Projects API "Read Project" by id."""
    realm = guard(info)
    return node(load_project(realm, id), realm)


@atomic_resolver
def resolve_create(_root, info, input):
    """projectManagementCreateProject - Intuit Projects API "Create Project"."""
    realm = guard(info)
    if not input.get("customer"):
        raise project_error("CUSTOMER_REQUIRED", "The customer for whom the project is created is required")
    base = {"Job": True, "IsProject": True, "BillWithParent": True, "Active": True, PROJECT_KEY: dict(DEFAULTS)}
    document = _apply(realm, base, input)
    return node(store.create(realm, "Customer", document), realm)


@atomic_resolver
def resolve_update(_root, info, input):
    """projectManagementUpdateProject and every projectManagementUpdate<Field> - Intuit "Update Project"."""
    realm = guard(info)
    changes = {key: value for key, value in input.items() if key not in ("id", "account")}
    return _save(realm, load_project(realm, input["id"], for_update=True), changes)


@atomic_resolver
def resolve_delete(_root, info, input):
    """projectManagementDeleteProject - Intuit "Delete Project": a soft delete, answered with deleted: true."""
    realm = guard(info)
    entity = load_project(realm, input["id"], for_update=True)
    document = entity.document
    if document.get(PROJECT_KEY, {}).get("deleted"):
        raise project_error("PROJECT_DELETED", f"Project {document['Id']} is already deleted")
    # QuickBooks keeps a deleted project's customer record, inactive.
    document = {**document, "Active": False, PROJECT_KEY: {**document.get(PROJECT_KEY, {}), "deleted": True}}
    return node(store.save(entity, document), realm)
