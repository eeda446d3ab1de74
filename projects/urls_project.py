"""Routes added by the project pages."""

from django.urls import path

from . import views_project, views_project_edit

urlpatterns = [
    path("c/<int:company_id>/projects/<int:project_id>/", views_project.project_detail, name="project_detail"),
    # Issue 6: create, edit and delete projects through the Projects API.
    path("c/<int:company_id>/projects/new/", views_project_edit.project_new, name="project_new"),
    path("c/<int:company_id>/projects/<int:project_id>/edit/", views_project_edit.project_edit, name="project_edit"),
    path("c/<int:company_id>/projects/<int:project_id>/delete/", views_project_edit.project_delete_view,
         name="project_delete"),
]
