from django.contrib import admin

from quickbooks.sync.admin import MirrorAdminMixin, SyncedAdminMixin

from .models import Budget, BudgetChange, BudgetLine, CostForecast, CostForecastLine


class BudgetLineInline(MirrorAdminMixin, admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = [
        "sequence_id",
        "item_qbo_id",
        "account_qbo_id",
        "class_qbo_id",
        "location_qbo_id",
        "unit_cost",
        "quantity",
        "amount",
        "date",
        "description",
    ]


@admin.register(Budget)
class BudgetAdmin(SyncedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "company", "project", "state", "start_date", "end_date", "total", "deleted", "sync_state"]
    list_filter = ["state", "deleted", "sync_state", "company"]
    search_fields = ["name", "qbo_id", "project__name"]
    list_select_related = ["company", "project"]
    readonly_fields = ["total"]
    raw_id_fields = ["project"]
    inlines = [BudgetLineInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(MirrorAdminMixin, admin.ModelAdmin):
    list_display = ["budget", "sequence_id", "item_qbo_id", "account_qbo_id", "unit_cost", "quantity", "amount", "date"]
    list_filter = ["budget__company"]
    search_fields = ["budget__name", "description", "sequence_id"]
    list_select_related = ["budget"]
    raw_id_fields = ["budget"]


@admin.register(BudgetChange)
class BudgetChangeAdmin(MirrorAdminMixin, admin.ModelAdmin):
    """The budget's history is a record: read here, written only by the budget's writes."""

    list_display = ["at", "budget_name", "action", "was_baseline", "total_before", "total_after", "by", "company"]
    list_filter = ["action", "was_baseline", "company"]
    search_fields = ["budget_name", "detail"]
    list_select_related = ["by", "company"]


class CostForecastLineInline(MirrorAdminMixin, admin.TabularInline):
    model = CostForecastLine
    extra = 0
    fields = ["label", "budget_amount", "cost_to_complete"]


@admin.register(CostForecast)
class CostForecastAdmin(MirrorAdminMixin, admin.ModelAdmin):
    """Forecasts are a record: entered and reviewed on the project's cost-to-complete page, read here."""

    list_display = ["period_end", "project", "cost_to_complete", "estimated_cost_at_completion", "status", "company"]
    list_filter = ["status", "company"]
    search_fields = ["project__name", "comment", "review_note"]
    list_select_related = ["project", "company"]
    inlines = [CostForecastLineInline]


@admin.register(CostForecastLine)
class CostForecastLineAdmin(MirrorAdminMixin, admin.ModelAdmin):
    list_display = ["forecast", "label", "budget_amount", "cost_to_complete"]
    search_fields = ["label", "forecast__project__name"]
    list_select_related = ["forecast"]
