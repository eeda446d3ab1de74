"""The sandbox's test controls, mounted at /_sandbox/."""

from django.urls import path

from . import views

urlpatterns = [
    path("faults", views.faults, name="sandbox-faults"),
    path("limits", views.limits, name="sandbox-limits"),
    path("webhooks", views.webhooks, name="sandbox-webhooks"),
    path("realms", views.realms, name="sandbox-realms"),
    path("state", views.state, name="sandbox-state"),
    path("reset", views.reset, name="sandbox-reset"),
]
