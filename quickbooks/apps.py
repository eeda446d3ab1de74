from django.apps import AppConfig


class QuickbooksConfig(AppConfig):
    name = "quickbooks"
    verbose_name = "QuickBooks companies"
