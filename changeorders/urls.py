"""Routes of the change order pages."""

from django.urls import path

from . import views

app_name = "changeorders"
CHANGE_ORDERS = "c/<int:company_id>/projects/<int:project_id>/change-orders/"

urlpatterns = [
    path(CHANGE_ORDERS + "new/", views.change_order_new, name="new"),
    path(CHANGE_ORDERS + "<int:change_order_id>/", views.change_order_detail, name="detail"),
    path(CHANGE_ORDERS + "<int:change_order_id>/edit/", views.change_order_edit, name="edit"),
    path(CHANGE_ORDERS + "<int:change_order_id>/status/", views.change_order_status, name="status"),
    path(CHANGE_ORDERS + "<int:change_order_id>/send/", views.change_order_send_draft, name="send"),
    path(CHANGE_ORDERS + "<int:change_order_id>/delete/", views.change_order_delete_view, name="delete"),
    path(CHANGE_ORDERS + "<int:change_order_id>/print/", views.change_order_print, name="print"),
]
