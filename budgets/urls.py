"""Routes of the budget pages (the budget itself is read on reports:project-budget)."""

from django.urls import path

from . import views

app_name = "budgets"
BUDGET = "c/<int:company_id>/projects/<int:project_id>/budget/"
urlpatterns = [
    path(BUDGET + "edit/", views.budget_edit, name="edit"),
    path(BUDGET + "from-estimate/", views.from_estimate, name="from-estimate"),
    path(BUDGET + "send/", views.send, name="send"),
    path(BUDGET + "lock/", views.lock, name="lock"),
    path(BUDGET + "delete/", views.delete, name="delete"),
    path(BUDGET + "resolve/", views.resolve, name="resolve"),
    path(BUDGET + "adopt/", views.adopt, name="adopt"),
]
