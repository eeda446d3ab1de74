"""Routes added by the project pages."""

urlpatterns: list = []
