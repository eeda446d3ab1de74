from django.apps import AppConfig


class ClosesConfig(AppConfig):
    """The month-end close: the WIP schedule of a period kept as it stood, reopened with what changed since."""

    name = "closes"
    verbose_name = "Closes"
