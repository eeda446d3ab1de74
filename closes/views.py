"""The closes' pages: every close of the company with the profit fade, one stored WIP (and its exports), closing a
period and reopening one with what changed since."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from quickbooks.access import company_view
from quickbooks.models import ReferenceRecord, Role
from reports import exports, wip

from . import services
from .charts import fades, profit_fade_chart
from .forms import CloseForm, ReopenForm, WipAccountsForm
from .journal import journal, journal_table
from .models import WipAccounts, WipClose

EXPORTS = {"csv": exports.csv_response, "xlsx": exports.xlsx_response}


def _closes(company):
    return WipClose.objects.filter(company=company).select_related("closed_by", "reopened_by")


@company_view()
def close_list(request, company):
    """Every close of the company, newest period first, with who closed and reopened it and why; the profit fade
    across the periods that stand closed."""
    closes = list(_closes(company).defer("sources"))
    standing = sorted((close for close in closes if close.is_closed), key=lambda close: close.period_end)
    periods, projects = fades(standing)
    context = {
        "company": company,
        "closes": closes,
        "can_close": request.membership.can(Role.ACCOUNTANT),
        "form": CloseForm(initial={"period_end": wip.last_month_end(timezone.localdate())}),
        "chart": profit_fade_chart(periods, projects),
        "periods": periods,
    }
    return render(request, "closes/list.html", context)


@company_view(min_role=Role.ACCOUNTANT)
@require_POST
def close_period(request, company):
    """Store the WIP as of the period end as it stands now; a period already closed is refused in words."""
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the period end to close, as a date.")
        return redirect("closes:list", company.pk)
    try:
        close = services.wip_close(company, form.cleaned_data["period_end"], request.membership)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        already = WipClose.objects.closed().filter(company=company, period_end=form.cleaned_data["period_end"]).first()
        return redirect("closes:detail", company.pk, already.pk) if already else redirect("closes:list", company.pk)
    messages.success(request, f"The WIP as of {close.period_end:%d %B %Y} is closed: its figures are kept as they are.")
    return redirect("closes:detail", company.pk, close.pk)


@company_view()
def close_detail(request, company, close_id):
    """One close: the stored WIP in the WIP page's columns (and as CSV or Excel); once reopened, or when asked,
    what changed since, project by project."""
    close = get_object_or_404(_closes(company), pk=close_id)
    if (export := EXPORTS.get(request.GET.get("export", ""))) is not None:
        return export(services.stored_table(close))
    if (export := EXPORTS.get(request.GET.get("journal", ""))) is not None:
        return export(journal_table(journal(close)))
    compare = not close.is_closed or request.GET.get("compare") == "1"
    history = list(_closes(company).filter(period_end=close.period_end).defer("rows", "totals", "sources"))
    context = {
        "company": company,
        "close": close,
        "rows": services.stored_rows(close),
        "totals": services.revived(close.totals),
        "headers": [{"label": label, "numeric": kind != exports.TEXT} for label, _, kind, _ in wip.EXPORT_COLUMNS],
        "comparison": services.changes_since(close) if compare else None,
        "history": history,
        "can_close": request.membership.can(Role.ACCOUNTANT),
        "standing": next((other for other in history if other.is_closed), None),
        "wip_url": reverse("reports:wip", args=[company.pk]) + f"?as_of={close.period_end:%Y-%m-%d}",
        "journal": journal(close),
    }
    return render(request, "closes/detail.html", context)


@company_view(min_role=Role.ACCOUNTANT)
def reopen(request, company, close_id):
    """Reopen a close, with the reason; the page then shows the stored WIP beside the WIP worked out now."""
    close = get_object_or_404(_closes(company), pk=close_id)
    if not close.is_closed:
        messages.info(request, "This close is already reopened; close the period again to store it anew.")
        return redirect("closes:detail", company.pk, close.pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.wip_reopen(close, request.membership, form.cleaned_data["reason"])
        except ValidationError as refused:
            form.add_error("reason", refused)
        else:
            messages.success(request, f"The WIP as of {close.period_end:%d %B %Y} is reopened: what changed is below.")
            return redirect("closes:detail", company.pk, close.pk)
    return render(request, "closes/reopen.html", {"company": company, "close": close, "form": form})


@company_view(min_role=Role.ACCOUNTANT)
def accounts(request, company):
    """The accounts the WIP journal entry is booked to, chosen once for the company."""
    chart = ReferenceRecord.objects.filter(company=company, entity="Account", active=True).order_by(
        "fully_qualified_name", "name"
    )
    choices = [(record.qbo_id, record.fully_qualified_name or record.name) for record in chart]
    current = WipAccounts.objects.filter(company=company).first()
    initial = {name: getattr(current, name) for name in WipAccountsForm.base_fields} if current else None
    form = WipAccountsForm(request.POST or None, initial=initial, accounts=choices)
    if request.method == "POST" and form.is_valid():
        WipAccounts.objects.update_or_create(
            company=company, defaults={**form.cleaned_data, "updated_by": request.user}
        )
        messages.success(request, "Saved: every closed period's journal entry now uses these accounts.")
        return redirect(request.GET.get("next") or reverse("closes:list", args=[company.pk]))
    return render(
        request, "closes/accounts.html", {"company": company, "form": form}, status=400 if form.errors else 200
    )
