from django.contrib import admin

from quickbooks.sync.admin import MirrorAdminMixin

from .models import WipAccounts, WipClose


@admin.register(WipClose)
class WipCloseAdmin(MirrorAdminMixin, admin.ModelAdmin):
    """Closes are kept as they were: made and reopened on the WIP pages, never in the admin."""

    list_display = ["company", "period_end", "state", "closed_by", "closed_at", "reopened_by", "reopened_at"]
    list_filter = ["state", "company"]
    search_fields = ["company__name", "reopen_reason"]
    list_select_related = ["company", "closed_by", "reopened_by"]
    date_hierarchy = "period_end"


@admin.register(WipAccounts)
class WipAccountsAdmin(admin.ModelAdmin):
    """The accounts a company books its WIP adjustment to; staff may correct them here too."""

    list_display = ["company", "revenue_qbo_id", "under_billing_qbo_id", "over_billing_qbo_id", "updated_at"]
    list_select_related = ["company"]
    raw_id_fields = ["company", "updated_by"]
