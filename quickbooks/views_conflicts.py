from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from .access import company_view
from .models import OutboxItem, Role
from .sync.conflicts import conflict_resolve, field_versions


@company_view()
def conflict(request, company, item_id):
    """Last synced, Costline and QuickBooks side by side; accountants choose what to keep."""
    item = get_object_or_404(company.outbox.select_related("content_type"), pk=item_id)
    if item.status != OutboxItem.Status.CONFLICT or item.target is None:
        messages.info(request, "This conflict is already resolved.")
        return redirect("quickbooks:sync-status", company_id=company.pk)
    can_resolve = request.membership.can(Role.ACCOUNTANT)
    if request.method == "POST" and can_resolve:
        keep_local = {
            key.removeprefix("keep_")
            for key, value in request.POST.items()
            if key.startswith("keep_") and value == "costline"
        }
        follow_up = conflict_resolve(item=item, keep_local=keep_local)
        messages.success(
            request,
            "Conflict resolved."
            + (" Your choices are being sent to QuickBooks." if follow_up else " Costline now matches QuickBooks."),
        )
        return redirect("quickbooks:sync-status", company_id=company.pk)
    context = {
        "company": company,
        "item": item,
        "object": item.target,
        "fields": field_versions(item.target),
        "can_resolve": can_resolve,
    }
    return render(request, "quickbooks/conflict.html", context, status=403 if request.method == "POST" else 200)
