from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """No models: the dashboard, the project page's figures and the exports, read from the domain apps below."""

    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        # The forecast page (budgets, a layer below change orders' peers) shows the revised budget with signed change
        # orders' cost, which only a layer above both may count.
        from budgets.forecasts import count_change_orders_with

        from .figures import change_order_cost

        count_change_orders_with(change_order_cost)
