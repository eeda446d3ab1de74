"""The reports: the company dashboard and its exports, and the project page."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("c/<int:company_id>/", views.dashboard, name="dashboard"),
    path("c/<int:company_id>/projects.csv", views.dashboard_csv, name="dashboard-csv"),
    path("c/<int:company_id>/projects.xlsx", views.dashboard_xlsx, name="dashboard-xlsx"),
    path("c/<int:company_id>/projects/<int:project_id>/", views.project_detail, name="project-detail"),
    path("c/<int:company_id>/change-orders/", views.change_order_log, name="change-orders"),
    path(
        "c/<int:company_id>/projects/<int:project_id>/change-orders/",
        views.change_order_log,
        name="project-change-orders",
    ),
    path(
        "c/<int:company_id>/projects/<int:project_id>/budget/",
        views.budget_vs_actual,
        name="project-budget",
    ),
    path("c/<int:company_id>/wip/", views.wip_schedule, name="wip"),
    path("c/<int:company_id>/reports/<slug:report>/", views.summary, name="summary"),
    path("figures/", views.figure_rules, name="figures"),
]
