"""Top-level URLs: each app mounts its own; the admin is for platform operators only."""

from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from config.admin import set_up

set_up(admin.site)  # before admin.site.urls below reads its views


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the static icon."""
    return redirect(static("favicon.ico"), permanent=True)


handler403 = "providers.views.permission_denied"

urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("account/", include("accounts.urls")),
    path("escalations/", include("escalation.urls")),
    path("learning/", include("learning_transfer.urls")),
    path("adoption/", include("adoption.urls")),
    path("reporting/", include("reporting_control.urls")),
    path("", include("providers.urls")),
]
