"""The simulator's URLs: Intuit's paths, relative to the sandbox base URL. Served only by `qbo_sandbox`."""

from django.urls import include, path

urlpatterns = [
    path("", include("sandbox.oauth.urls")),  # /connect/oauth2, /oauth2/v1/tokens/..., discovery
    path("v3/company/<str:realm_id>/", include("sandbox.rest.urls")),  # REST v3 Accounting API
    path("graphql", include("sandbox.graphql.urls")),  # Projects and Budgets GraphQL APIs
    path("_sandbox/", include("sandbox.control.urls")),  # test controls: faults, webhooks, reset, state
]
