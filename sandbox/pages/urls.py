"""Paths below /app/: the links Costline makes into QuickBooks' web app (`QBO_APP_URL`), answered by the sandbox."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.app_home, name="sandbox-app"),
    path("projects", views.projects, name="sandbox-app-projects"),
    path("<str:entity>", views.document, name="sandbox-app-document"),  # ?txnId=<Id>[&realmId=<realm>]
]
