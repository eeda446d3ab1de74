from django.urls import include, path

from . import views, views_conflicts

urlpatterns = [
    path("companies/", views.company_list, name="company_list"),
    path("c/<int:company_id>/members/", views.members, name="members"),
    path("c/<int:company_id>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("c/<int:company_id>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "c/<int:company_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("c/<int:company_id>/quickbooks/", views.connection, name="connection"),
    path("c/<int:company_id>/quickbooks/connect/", views.connect, name="connect"),
    path("c/<int:company_id>/quickbooks/disconnect/", views.disconnect, name="disconnect"),
    path("c/<int:company_id>/quickbooks/recheck/", views.recheck, name="recheck"),
    path("quickbooks/connect/", views.connect_new, name="connect_new"),
    path("quickbooks/callback/", views.callback, name="callback"),
    path("c/<int:company_id>/sync/conflicts/<int:item_id>/", views_conflicts.conflict, name="sync_conflict"),
    path("", include("quickbooks.urls_sync")),
]
