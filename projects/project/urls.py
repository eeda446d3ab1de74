"""Routes of the project record: new, edit and delete through the Projects API."""

from django.urls import path

from . import views

PROJECTS = "c/<int:company_id>/projects/"

urlpatterns = [
    path(PROJECTS + "new/", views.project_new, name="project-new"),
    path(PROJECTS + "<int:project_id>/edit/", views.project_edit, name="project-edit"),
    path(PROJECTS + "<int:project_id>/delete/", views.project_delete, name="project-delete"),
]
