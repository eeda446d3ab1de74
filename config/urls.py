from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from quickbooks import views as quickbooks_views

# Staff sign in to the admin through allauth like everyone else (one login page, one policy).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented patch
admin.site.site_header = "Costline operations"
admin.site.site_title = "Costline admin"

urlpatterns = [
    path("", quickbooks_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("quickbooks.urls")),
    path("", include("projects.urls")),
    path("", include("changeorders.urls")),
    path("", include("budgets.urls")),
    path("", include("reports.urls")),
    path("", include("closes.urls")),
]

handler400 = "config.views.bad_request"
