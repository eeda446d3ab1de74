"""For the WIP page (templates/reports/wip.html includes closes/_wip_panel.html): whether the period shown is closed,
and whether the reader may close it. The reports app itself knows nothing of closes."""

from django import template

from quickbooks.models import Role

from ..models import WipClose

register = template.Library()


@register.simple_tag(takes_context=True)
def wip_close_for(context, company, period_end) -> dict:
    membership = getattr(context["request"], "membership", None)
    close = WipClose.objects.closed().filter(company=company, period_end=period_end).select_related("closed_by")
    return {
        "close": close.first(),
        "can_close": membership is not None and membership.can(Role.ACCOUNTANT),
    }
