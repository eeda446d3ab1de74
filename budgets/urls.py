"""Routes of the budget pages."""

from django.urls import path

from . import views

app_name = "budgets"
urlpatterns = [
    path("c/<int:company_id>/projects/<int:project_id>/budget/adopt/", views.adopt, name="adopt"),
]
