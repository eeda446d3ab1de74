from django.urls import path

from . import views, views_conflicts, views_sync

COMPANY = "c/<int:company_id>/"

app_name = "quickbooks"
urlpatterns = [
    path("companies/", views.company_list, name="company-list"),
    path(COMPANY + "members/", views.members, name="members"),
    path(COMPANY + "members/<int:membership_id>/role/", views.member_role, name="member-role"),
    path(COMPANY + "members/<int:membership_id>/remove/", views.member_remove, name="member-remove"),
    path(COMPANY + "invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path(COMPANY + "quickbooks/", views.connection, name="connection"),
    path(COMPANY + "quickbooks/connect/", views.connect, name="connect"),
    path(COMPANY + "quickbooks/disconnect/", views.disconnect, name="disconnect"),
    path(COMPANY + "quickbooks/recheck/", views.recheck, name="recheck"),
    path("quickbooks/connect/", views.connect_new, name="connect-new"),
    path("quickbooks/callback/", views.callback, name="callback"),
    path("quickbooks/webhooks/", views_sync.webhook, name="webhook"),
    path(COMPANY + "sync/", views_sync.status, name="sync-status"),
    path(COMPANY + "sync/now/", views_sync.sync_now, name="sync-now"),
    path(COMPANY + "sync/full/", views_sync.sync_full, name="sync-full"),
    path(COMPANY + "sync/outbox/<int:item_id>/retry/", views_sync.outbox_retry, name="sync-outbox-retry"),
    path(COMPANY + "sync/conflicts/<int:item_id>/", views_conflicts.conflict, name="sync-conflict"),
]
