from django.urls import path

from . import views

urlpatterns = [
    path("c/<int:company_id>/", views.dashboard, name="dashboard"),
]
