from django.apps import AppConfig


class ChangeordersConfig(AppConfig):
    name = "changeorders"
    verbose_name = "Change orders"

    def ready(self):
        from . import push, sync

        sync.register()
        push.register()
