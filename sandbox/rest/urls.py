"""Paths below /v3/company/<realm_id>/ (mounted by sandbox.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("query", views.run_query, name="qbo-query"),
    path("batch", views.run_batch, name="qbo-batch"),
    path("cdc", views.change_data_capture, name="qbo-cdc"),
    path("<str:entity>", views.entity, name="qbo-entity"),
    path("<str:entity>/<str:qbo_id>", views.read, name="qbo-read"),
    path("<path:rest>", views.unknown, name="qbo-unknown"),
]
