"""Routes added by the estimates pages."""

urlpatterns: list = []
