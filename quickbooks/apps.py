from django.apps import AppConfig


class QuickbooksConfig(AppConfig):
    name = "quickbooks"
    verbose_name = "QuickBooks companies"

    def ready(self):
        from . import checks, lookups  # noqa: F401 - register the deploy checks and the `any` lookup
        from .sync import references

        references.register()  # the name lists, pulled before every domain app's transactions
