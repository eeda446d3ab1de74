from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        # What the sync engine pulls and pushes for this app; a worker needs these without loading any URL.
        from .estimates import push as estimate_push
        from .estimates import sync as estimate_sync
        from .health import retag
        from .ledger import sync as ledger_sync
        from .project import push as project_push
        from .project import sync as project_sync

        for feature in (project_sync, project_push, estimate_sync, estimate_push, ledger_sync, retag):
            feature.register()
