from django.contrib import admin

from .models import Company, Invitation, Membership


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
