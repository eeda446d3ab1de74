"""Invoice balances: TotalAmt less what live payments apply to the invoice through Line.LinkedTxn."""

from decimal import Decimal

from .. import store
from ..codec import loads, money
from ..errors import QBOFault, business_validation, not_found
from ..models import Entity, Realm
from .refs import Resolver


def _applications(document: dict):
    """(invoice id, amount) for each payment line applied to an invoice."""
    for line in document.get("Line", []):
        for link in line.get("LinkedTxn") or []:
            if link.get("TxnType") == "Invoice":
                yield str(link.get("TxnId")), Decimal(str(line.get("Amount", 0)))


def applied_to(realm: Realm, invoice_id, *, exclude_payment=None) -> Decimal:
    """What live payments (other than `exclude_payment`) apply to this invoice."""
    payments = Entity.objects.filter(
        realm=realm, type="Payment", deleted=False, document_json__contains=f'"{invoice_id}"'
    )
    if exclude_payment is not None:
        payments = payments.exclude(qbo_id=int(exclude_payment))
    total = Decimal(0)
    for document_json in payments.values_list("document_json", flat=True):
        total += sum(
            (amount for txn_id, amount in _applications(loads(document_json)) if txn_id == str(invoice_id)), Decimal(0)
        )
    return total


def check_payment(realm: Realm, document: dict, payment_id, resolver: Resolver) -> set[str]:
    """Each applied invoice must exist and not be over-paid. Returns the invoice ids the payment touches."""
    per_invoice: dict[str, Decimal] = {}
    for invoice_id, amount in _applications(document):
        per_invoice[invoice_id] = per_invoice.get(invoice_id, Decimal(0)) + amount
    for invoice_id, amount in per_invoice.items():
        invoice = resolver.lookup("Invoice", invoice_id)
        if invoice is None:
            raise not_found("Invoice", invoice_id)
        open_amount = Decimal(str(invoice.get("TotalAmt", 0))) - applied_to(
            realm, invoice_id, exclude_payment=payment_id
        )
        if amount > open_amount:
            raise business_validation(
                f"Business Validation Error: The payment applies {money(amount)} to invoice "
                f"{invoice_id}, whose open balance is {money(open_amount)}.",
                element="Line.Amount",
            )
    return set(per_invoice)


def invoice_ids(document: dict) -> set[str]:
    return {txn_id for txn_id, _ in _applications(document)}


def refresh_balances(realm: Realm, ids) -> None:
    """Recompute Balance on each invoice a payment change touched (a new invoice version, as in QuickBooks)."""
    for invoice_id in sorted(ids, key=int):
        try:
            entity = store.get(realm, "Invoice", invoice_id, for_update=True)
        except QBOFault:  # an invoice deleted meanwhile has no balance to keep
            continue
        document = entity.document
        balance = money(Decimal(str(document.get("TotalAmt", 0))) - applied_to(realm, invoice_id))
        if Decimal(str(document.get("Balance", 0))) != balance:
            store.save(entity, {**document, "Balance": balance})
