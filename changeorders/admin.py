from django.contrib import admin

from projects.admin import SALES_LINE_FIELDS, SALES_TOTALS
from quickbooks.sync.admin import MirrorAdminMixin, SyncedAdminMixin

from .models import ChangeOrder, ChangeOrderEvent, ChangeOrderLine


class ChangeOrderLineInline(MirrorAdminMixin, admin.TabularInline):
    model = ChangeOrderLine
    extra = 0
    fields = [*SALES_LINE_FIELDS, "linked_estimate_qbo_id"]


@admin.register(ChangeOrder)
class ChangeOrderAdmin(SyncedAdminMixin, admin.ModelAdmin):
    list_display = ["doc_number", "company", "project", "estimate", "txn_date", "status", "total_amount", "sync_state"]
    list_filter = ["status", "sync_state", "company"]
    search_fields = ["doc_number", "customer_name", "project__name", "estimate_qbo_id", "qbo_id"]
    list_select_related = ["company", "project", "estimate"]
    readonly_fields = SALES_TOTALS
    raw_id_fields = ["project", "estimate"]
    inlines = [ChangeOrderLineInline]


@admin.register(ChangeOrderLine)
class ChangeOrderLineAdmin(MirrorAdminMixin, admin.ModelAdmin):
    list_display = ["change_order", "line_num", "item_name", "qty", "unit_price", "amount", "linked_estimate_qbo_id"]
    list_filter = ["detail_type", "change_order__company"]
    search_fields = ["change_order__doc_number", "item_name", "description", "linked_estimate_qbo_id"]
    list_select_related = ["change_order"]
    raw_id_fields = ["change_order"]


@admin.register(ChangeOrderEvent)
class ChangeOrderEventAdmin(MirrorAdminMixin, admin.ModelAdmin):
    """The history is a record: read here, written only by the workflow and the sync."""

    list_display = ["at", "document", "action", "status", "amount", "by", "company"]
    list_filter = ["action", "company"]
    search_fields = ["document", "detail"]
    list_select_related = ["by", "company"]
