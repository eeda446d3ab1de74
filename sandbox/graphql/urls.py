"""/graphql: the single endpoint of Intuit's Projects and Budgets GraphQL APIs."""

from django.urls import path

from . import views

urlpatterns = [path("", views.graphql_endpoint, name="sandbox-graphql")]
