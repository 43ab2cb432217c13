"""Who may use the Django admin at all, and what everyone else gets there."""

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


def operators_only(request) -> bool:
    """The admin shows every provider's rows unscoped, so it is for platform operators (active
    superusers) only; a provider's own staff administer their provider in the app, behind the
    permission tables."""
    user = request.user
    return user.is_active and user.is_staff and user.is_superuser


def operators_or_refused(request) -> bool:
    """The admin's permission check: True for an operator. A signed-in person who is not one gets
    the site's own 403 page from every admin URL: the admin would offer them its sign-in form, asking
    them to sign in as someone else. False for a visitor not signed in, whom the admin then sends to
    its sign-in page (`site_sign_in`)."""
    if operators_only(request):
        return True
    if request.user.is_authenticated:
        raise PermissionDenied
    return False


def site_sign_in(request, extra_context=None):
    """The admin's sign-in page: an operator goes on to the admin; anyone else signs in on the site's
    own page (with its second step), coming back to the admin page they asked for. The admin's own
    form would skip the site's sign-in."""
    if operators_or_refused(request):
        return redirect("admin:index")
    return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))


def set_up(site: AdminSite) -> None:
    """Name the admin and keep it to platform operators (`operators_or_refused`, `site_sign_in`)."""
    site.site_header = "Learning-transfer governance administration"
    site.site_title = "Learning-transfer governance"
    site.has_permission = operators_or_refused
    site.login = site_sign_in
