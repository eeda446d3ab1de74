"""Where a document Costline writes stands (a draft, queued, in conflict), who may do what with it, its number.

A draft is a document that was never queued: no QuickBooks id and no outbox row. Project managers write drafts;
accountants and admins send to QuickBooks, because sending writes to the books.
"""

import re

from django.contrib.contenttypes.models import ContentType

from quickbooks.models import Connection, Membership, OutboxItem, Role

NUMBER = re.compile(r"^\d{1,15}$")


def outbox_items(document):
    content_type = ContentType.objects.get_for_model(type(document))
    return OutboxItem.objects.filter(company_id=document.company_id, content_type=content_type, object_id=document.pk)


def is_draft(document) -> bool:
    """Saved in Costline and never queued for QuickBooks."""
    return document.pk is None or (not document.qbo_id and not outbox_items(document).exists())


def open_conflict(document) -> OutboxItem | None:
    """The outbox item waiting for a person to choose between Costline's and QuickBooks' versions."""
    return outbox_items(document).filter(status=OutboxItem.Status.CONFLICT).order_by("-created").first()


def can_send(membership: Membership) -> bool:
    """Sending to QuickBooks writes to the books: accountants and admins."""
    return membership.can(Role.ACCOUNTANT)


def can_edit(membership: Membership, document) -> bool:
    """Project managers edit drafts; accountants and admins edit any document (their edits are sent)."""
    if document.pk is None or can_send(membership):
        return membership.can(Role.PROJECT_MANAGER)
    return membership.can(Role.PROJECT_MANAGER) and is_draft(document)


def numbers_own_documents(company) -> bool:
    """Preferences.SalesFormsPrefs.CustomTxnNumbers: the company types its own numbers, so QuickBooks leaves a
    document without a DocNumber unless it is sent one (docs/quickbooks-api.md, Document numbers)."""
    return plan_allows(company, "custom_txn_numbers")


def plan_allows(company, capability: str) -> bool:
    """What the company's plan and preferences allow, as read when it was connected (quickbooks.connections)."""
    connection = Connection.objects.filter(company=company).only("capabilities").first()
    return connection is not None and connection.can(capability)


def next_doc_number(document) -> str:
    """The company's next number for this kind of document, as QuickBooks numbers them: the last number + 1.

    Only needed where the company types its own numbers; otherwise QuickBooks numbers the document itself.
    """
    numbers = type(document).objects.filter(company_id=document.company_id).values_list("doc_number", flat=True)
    used = [int(number) for number in numbers if NUMBER.match(number or "")]
    return str(max(used, default=1000) + 1)


def number_before_sending(document) -> None:
    """Give a document about to be created in QuickBooks its number, when the company numbers its own."""
    if not document.qbo_id and not document.doc_number and numbers_own_documents(document.company):
        document.doc_number = next_doc_number(document)
