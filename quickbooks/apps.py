from django.apps import AppConfig


class QuickbooksConfig(AppConfig):
    name = "quickbooks"
    verbose_name = "QuickBooks companies"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy checks
        from .sync import references

        references.register()  # the name lists, pulled before every domain app's transactions
