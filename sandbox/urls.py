"""The simulator's URLs: Intuit's paths, relative to the sandbox base URL. Served only by `qbo_sandbox`."""

from django.urls import include, path

from .pages import views as pages

urlpatterns = [
    path("", pages.index, name="sandbox-index"),  # what this is, its companies, endpoints and controls
    path("", include("sandbox.oauth.urls")),  # /connect/oauth2, /oauth2/v1/tokens/..., discovery
    path("v3/company/<str:realm_id>/", include("sandbox.rest.urls")),  # REST v3 Accounting API
    path("graphql", include("sandbox.graphql.urls")),  # Projects and Budgets GraphQL APIs
    path("app/", include("sandbox.pages.urls")),  # QuickBooks' web app links: /app/invoice?txnId=130, /app/projects
    path("_sandbox/", include("sandbox.control.urls")),  # test controls: faults, webhooks, reset, state
]
