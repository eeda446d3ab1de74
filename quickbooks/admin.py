from django.contrib import admin

from .models import Company, Connection, Invitation, Membership


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
        "company", "access_expires_at", "refresh_expires_at", "scopes", "connected_by", "last_refreshed_at",
        "refresh_count", "capabilities", "capabilities_checked_at", "last_error", "updated",
    ]

    def has_add_permission(self, request):
        return False  # a connection is made by the OAuth flow, never by hand
