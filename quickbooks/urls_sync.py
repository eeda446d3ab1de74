"""The QuickBooks webhook endpoint and the sync status page (included from quickbooks/urls.py)."""

from django.urls import path

from . import views_sync

urlpatterns = [
    path("quickbooks/webhooks/", views_sync.webhook, name="quickbooks_webhook"),
    path("c/<int:company_id>/sync/", views_sync.status, name="sync_status"),
    path("c/<int:company_id>/sync/now/", views_sync.sync_now, name="sync_now"),
    path("c/<int:company_id>/sync/full/", views_sync.sync_full, name="sync_full"),
    path("c/<int:company_id>/sync/outbox/<int:item_id>/retry/", views_sync.outbox_retry, name="sync_outbox_retry"),
]
