"""The projects app's pages, feature by feature, under the "projects" namespace."""

from .estimates.urls import urlpatterns as estimates
from .health.urls import urlpatterns as health
from .project.urls import urlpatterns as project

app_name = "projects"
urlpatterns = [*project, *estimates, *health]
