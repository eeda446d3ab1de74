"""Routes of the estimate pages."""

from django.urls import path

from . import views

ESTIMATES = "c/<int:company_id>/projects/<int:project_id>/estimates/"

urlpatterns = [
    path(ESTIMATES + "new/", views.estimate_new, name="estimate-new"),
    path(ESTIMATES + "<int:estimate_id>/", views.estimate_detail, name="estimate-detail"),
    path(ESTIMATES + "<int:estimate_id>/edit/", views.estimate_edit, name="estimate-edit"),
    path(ESTIMATES + "<int:estimate_id>/status/", views.estimate_status, name="estimate-status"),
    path(ESTIMATES + "<int:estimate_id>/send/", views.estimate_send_draft, name="estimate-send"),
    path(ESTIMATES + "<int:estimate_id>/delete/", views.estimate_delete, name="estimate-delete"),
]
