from django.contrib import admin

from quickbooks.sync.admin import MirrorAdminMixin, SyncedAdminMixin

from .models import Estimate, EstimateLine, LedgerLine, Project, RetagRequest


@admin.register(Project)
class ProjectAdmin(SyncedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "company",
        "customer_name",
        "status",
        "start_date",
        "due_date",
        "completion_rate",
        "deleted",
        "sync_state",
    ]
    list_filter = ["status", "deleted", "sync_state", "company"]
    search_fields = ["name", "fully_qualified_name", "customer_name", "qbo_id"]
    list_select_related = ["company"]
    readonly_fields = ["project_document"]


# What estimates and change orders share in the admin (change orders' admin adds its parent estimate).
SALES_LINE_FIELDS = ["line_num", "item_name", "description", "qty", "unit_price", "amount", "unit_cost", "cost_amount"]
SALES_TOTALS = ["total_amount", "total_cost_amount", "total_tax"]  # QuickBooks computes these


class EstimateLineInline(MirrorAdminMixin, admin.TabularInline):
    model = EstimateLine
    extra = 0
    fields = [*SALES_LINE_FIELDS, "tax_code", "class_name"]


@admin.register(Estimate)
class EstimateAdmin(SyncedAdminMixin, admin.ModelAdmin):
    list_display = [
        "doc_number",
        "company",
        "customer_name",
        "project",
        "txn_date",
        "status",
        "total_amount",
        "total_cost_amount",
        "sync_state",
    ]
    list_filter = ["status", "sync_state", "company"]
    search_fields = ["doc_number", "customer_name", "project__name", "qbo_id"]
    list_select_related = ["company", "project"]
    readonly_fields = SALES_TOTALS
    raw_id_fields = ["project"]
    inlines = [EstimateLineInline]


@admin.register(LedgerLine)
class LedgerLineAdmin(MirrorAdminMixin, admin.ModelAdmin):
    """Rebuilt from QuickBooks on every pull: nothing here is for editing."""

    list_display = [
        "txn_type",
        "doc_number",
        "txn_date",
        "company",
        "project",
        "kind",
        "tagged_by",
        "account_name",
        "amount",
        "hours",
    ]
    list_filter = ["kind", "tagged_by", "txn_type", "company"]
    search_fields = ["doc_number", "txn_qbo_id", "description", "customer_name", "project__name", "account_name"]
    list_select_related = ["company", "project"]


@admin.register(EstimateLine)
class EstimateLineAdmin(MirrorAdminMixin, admin.ModelAdmin):
    list_display = ["estimate", "line_num", "item_name", "qty", "unit_price", "amount", "cost_amount"]
    list_filter = ["detail_type", "estimate__company"]
    search_fields = ["estimate__doc_number", "item_name", "description"]
    list_select_related = ["estimate"]
    raw_id_fields = ["estimate"]


@admin.register(RetagRequest)
class RetagRequestAdmin(admin.ModelAdmin):
    """Re-tags asked for on the health page: what was asked, by whom, and how QuickBooks answered."""

    list_display = [
        "txn_type",
        "doc_number",
        "qbo_id",
        "project_name",
        "amount",
        "sync_state",
        "requested_by",
        "requested_at",
    ]
    list_filter = ["sync_state", "txn_type", "company"]
    list_select_related = ["company", "requested_by"]
    search_fields = ["doc_number", "qbo_id", "project_name", "company__name"]
    readonly_fields = [f.name for f in RetagRequest._meta.fields]

    def has_add_permission(self, request):
        return False  # made from the health page, after a preview
