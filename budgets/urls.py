"""Routes of the budget pages (the budget itself is read on reports:project-budget)."""

from django.urls import path

from . import forecast_views, import_views, views

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

# Importing lines from a spreadsheet (budgets/import_views.py): upload, columns, check, import; and the template.
IMPORT = "c/<int:company_id>/projects/<int:project_id>/budget/import/"
urlpatterns += [
    path(IMPORT, import_views.upload, name="import"),
    path(IMPORT + "template.<str:file_format>", import_views.template, name="import-template"),
    path(IMPORT + "<slug:token>/columns/", import_views.columns, name="import-columns"),
    path(IMPORT + "<slug:token>/", import_views.preview, name="import-preview"),
]

# Cost-to-complete forecasts (budgets/forecast_views.py): the project's page, and the review of one forecast.
FORECAST = "c/<int:company_id>/projects/<int:project_id>/forecast/"
urlpatterns += [
    path(FORECAST, forecast_views.forecast, name="forecast"),
    path(FORECAST + "<int:forecast_id>/review/", forecast_views.review, name="forecast-review"),
]
