"""Routes added by the estimates pages."""

from django.urls import path

from . import views_estimates as views

ESTIMATES = "c/<int:company_id>/projects/<int:project_id>/estimates/"

urlpatterns: list = [
    path(ESTIMATES + "new/", views.estimate_new, name="estimate_new"),
    path(ESTIMATES + "<int:estimate_id>/", views.estimate_detail, name="estimate_detail"),
    path(ESTIMATES + "<int:estimate_id>/edit/", views.estimate_edit, name="estimate_edit"),
    path(ESTIMATES + "<int:estimate_id>/status/", views.estimate_status, name="estimate_status"),
    path(ESTIMATES + "<int:estimate_id>/send/", views.estimate_send_draft, name="estimate_send"),
]
