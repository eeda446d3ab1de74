from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """No models: the dashboard, the project page's figures and the exports, read from the domain apps below."""

    name = "reports"
    verbose_name = "Reports"
