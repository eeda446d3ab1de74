from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        # What the sync engine pulls and pushes for this app; a worker needs these without loading any URL.
        from . import push_project, retag, sync

        sync.register()
        push_project.register()
        retag.register()
