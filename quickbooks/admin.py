from django.contrib import admin

from accounts.admin import UserAdmin
from accounts.models import User

from .models import (
    Company,
    Connection,
    Invitation,
    Membership,
    OutboxAttempt,
    OutboxItem,
    PullCursor,
    ReferenceRecord,
    SyncRun,
    WebhookEvent,
)
from .views_sync import retry_outbox_items  # the status page's Retry, shared


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "realm_id", "environment", "connection_state", "connected_at", "created"]
    list_filter = ["environment", "connection_state"]
    search_fields = ["name", "realm_id"]
    # What QuickBooks tells us about the connection is not for hand-editing.
    readonly_fields = ["realm_id", "connection_state", "connected_at", "created"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "created"]
    list_filter = ["role", "company"]
    list_select_related = ["user", "company"]
    search_fields = ["user__email", "user__name", "company__name"]
    autocomplete_fields = ["user", "company"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "role", "invited_by", "created", "accepted_at"]
    list_filter = ["role", "company", ("accepted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["company", "invited_by"]
    search_fields = ["email", "company__name"]
    readonly_fields = ["token", "created", "accepted_at", "accepted_by", "invited_by"]
    actions = ["purge_expired"]

    @admin.action(description="Delete expired invitations")
    def purge_expired(self, request, queryset):
        deleted, _ = queryset.expired().delete()
        self.message_user(request, f"Deleted {deleted} expired invitation(s).")


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    """Tokens never appear here: only when they expire and what the connection can do."""

    list_display = ["company", "access_expires_at", "last_refreshed_at", "refresh_count", "capabilities_checked_at"]
    list_select_related = ["company"]
    search_fields = ["company__name", "company__realm_id"]
    exclude = ["access_token", "refresh_token"]
    readonly_fields = [
        "company",
        "access_expires_at",
        "refresh_expires_at",
        "scopes",
        "connected_by",
        "last_refreshed_at",
        "refresh_count",
        "capabilities",
        "capabilities_checked_at",
        "last_error",
        "updated",
    ]

    def has_add_permission(self, request):
        return False  # a connection is made by the OAuth flow, never by hand


# --- the sync console: what the engine did, read-only; the one lever is retrying refused changes ---------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the sync engine: hand edits would lie about what happened. Deleting old ones is allowed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ["company", "kind", "status", "started_at", "finished_at", "api_calls", "current_entity"]
    list_filter = ["kind", "status", "company"]
    list_select_related = ["company"]
    search_fields = ["company__name", "company__realm_id", "error"]
    date_hierarchy = "started_at"


@admin.register(PullCursor)
class PullCursorAdmin(ReadOnlyAdmin):
    list_display = ["company", "entity", "last_pull_at", "rows", "watermark", "last_full_pull_at"]
    list_filter = ["entity", "company"]
    list_select_related = ["company"]
    search_fields = ["company__name", "company__realm_id", "entity"]


class OutboxAttemptInline(admin.TabularInline):
    model = OutboxAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["started_at", "finished_at", "outcome", "error_code", "message"]
    fields = list(readonly_fields)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxItem)
class OutboxItemAdmin(ReadOnlyAdmin):
    list_display = ["company", "operation", "entity", "object_id", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "operation", "entity"]
    list_select_related = ["company"]
    search_fields = ["company__name", "company__realm_id", "entity", "request_id"]
    inlines = [OutboxAttemptInline]
    actions = ["retry_selected"]

    @admin.action(description="Retry selected (refused ones are sent again)", permissions=["retry"])
    def retry_selected(self, request, queryset):
        retried = retry_outbox_items(queryset)
        skipped = queryset.count() - retried
        self.message_user(
            request,
            f"{retried} item(s) queued to be sent again"
            + (f"; {skipped} skipped (only refused items are retried)." if skipped else "."),
        )

    def has_retry_permission(self, request):
        # The rows stay read-only; retrying is an operation, allowed to those who may change outbox items.
        return request.user.has_perm("quickbooks.change_outboxitem")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "realm_id",
        "company",
        "operation",
        "entity",
        "qbo_id",
        "changed_at",
        "processed_at",
        "error",
    ]
    list_filter = [("processed_at", admin.EmptyFieldListFilter), "entity", "operation"]
    list_select_related = ["company"]
    search_fields = ["realm_id", "qbo_id", "event_key", "company__name"]
    date_hierarchy = "received_at"


@admin.register(OutboxAttempt)
class OutboxAttemptAdmin(ReadOnlyAdmin):
    """Also inline on each outbox item; here to search every attempt by error code across companies."""

    list_display = ["item", "started_at", "finished_at", "outcome", "error_code"]
    list_filter = ["outcome", "error_code"]
    list_select_related = ["item"]
    search_fields = ["item__company__name", "item__request_id", "error_code", "message"]


@admin.register(ReferenceRecord)
class ReferenceRecordAdmin(admin.ModelAdmin):
    """The name lists as last pulled from QuickBooks: read-only, QuickBooks is the book of record."""

    list_display = ["name", "entity", "company", "qbo_id", "active", "is_project", "sync_state", "qbo_updated_at"]
    list_filter = ["entity", "active", "is_project", "sync_state", "company"]
    list_select_related = ["company"]
    search_fields = ["name", "fully_qualified_name", "qbo_id", "company__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["company"]


class UserWithMembershipsAdmin(UserAdmin):
    """The user admin of the accounts app, with the companies the user belongs to (memberships live here)."""

    inlines = [UserMembershipInline]


admin.site.unregister(User)
admin.site.register(User, UserWithMembershipsAdmin)
