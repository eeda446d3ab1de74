"""Routes added by the health pages."""

from django.urls import path

from . import views_health as views

RETAG = "c/<int:company_id>/health/retag/<str:txn_type>/<str:txn_qbo_id>/"

urlpatterns: list = [
    path("c/<int:company_id>/health/", views.health_page, name="health"),
    path(RETAG, views.retag_preview, name="retag_preview"),
    path(RETAG + "send/", views.retag_send, name="retag_send"),
]
