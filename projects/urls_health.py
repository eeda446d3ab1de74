"""Routes added by the health pages."""

urlpatterns: list = []
