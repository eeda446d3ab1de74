"""Routes of the data-health page and its re-tags."""

from django.urls import path

from . import views

RETAG = "c/<int:company_id>/health/retag/<str:txn_type>/<str:txn_qbo_id>/"

urlpatterns = [
    path("c/<int:company_id>/health/", views.health_page, name="health"),
    path(RETAG, views.retag_preview, name="retag-preview"),
    path(RETAG + "send/", views.retag_send, name="retag-send"),
]
