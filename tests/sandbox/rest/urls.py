"""Just the REST API, mounted where `sandbox.urls` mounts it, so these tests do not depend on the other parts."""

from django.urls import include, path

urlpatterns = [path("v3/company/<str:realm_id>/", include("sandbox.rest.urls"))]
