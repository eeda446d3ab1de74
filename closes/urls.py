"""The closed WIPs of a company: the list with the profit fade, one close, closing a period and reopening one."""

from django.urls import path

from . import views

app_name = "closes"
urlpatterns = [
    path("c/<int:company_id>/wip/closes/", views.close_list, name="list"),
    path("c/<int:company_id>/wip/closes/new/", views.close_period, name="close"),
    path("c/<int:company_id>/wip/closes/<int:close_id>/", views.close_detail, name="detail"),
    path("c/<int:company_id>/wip/closes/<int:close_id>/reopen/", views.reopen, name="reopen"),
    path("c/<int:company_id>/wip/accounts/", views.accounts, name="accounts"),
]
