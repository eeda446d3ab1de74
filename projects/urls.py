from django.urls import path

from . import views

urlpatterns = [
    path("c/<int:company_id>/", views.dashboard, name="dashboard"),
    path("c/<int:company_id>/projects.csv", views.dashboard_csv, name="dashboard_csv"),
    path("c/<int:company_id>/projects.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
]
