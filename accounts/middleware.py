"""What every signed-in request passes through: session time limits, the second factor, no caching."""

from contextlib import suppress

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django_otp import middleware as otp_middleware
from django_otp.models import Device

from providers.permissions import compiled_once

from . import sessions, two_factor

# The pages a person who still owes the second factor may open.
BEFORE_SECOND_FACTOR = {"two_factor_setup", "two_factor_verify", "logout"}


def _send_to(request, url: str) -> HttpResponse:
    """Redirect, also when htmx asked for a fragment (it would swap the target page into the old one)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _with_next(url_name: str, request) -> str:
    next_url = request.get_full_path() if request.method == "GET" else reverse("home")
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's middleware, which marks `request.user` verified by the device the session names
    (the person's authenticator, once they passed the second step), reading that device by SQL kept
    for its kind: every signed-in page asks for it, and building the ORM's query cost more than
    running it. Whether the device is the person's own and confirmed is still django-otp's check."""

    def _device_from_persistent_id(self, persistent_id: str):
        """The device the session names ("otp_totp.totpdevice/12"), or None as django-otp gives."""
        persistent_id = self._normalize_persistent_id(persistent_id)
        with suppress(ValueError, LookupError):
            model_label, device_id = persistent_id.rsplit("/", 1)
            kind, pk = apps.get_model(model_label), int(device_id)
            if issubclass(kind, Device) and 0 < pk < 2**63:
                rows = compiled_once(
                    None, f"the {kind._meta.label} device", lambda pk: kind.objects.filter(pk=pk), pk=pk
                ).rows()
                return rows[0] if rows else None
        return None


class SessionTimeoutMiddleware:
    """Signs a person out after SESSION_IDLE_SECONDS idle or SESSION_COOKIE_AGE signed in, or once their
    sign-in was switched off, and says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = sessions.expiry_reason(
                request.session, settings.SESSION_IDLE_SECONDS, settings.SESSION_COOKIE_AGE
            )
            if reason:
                logout(request)
                messages.info(request, reason)
                return _send_to(request, _with_next("login", request))
            sessions.record_activity(request.session)
        elif sessions.user_switched_off(request.session):
            # The session names a person whose sign-in was switched off since: say so, not a bare login.
            logout(request)
            messages.info(request, sessions.SWITCHED_OFF)
            return _send_to(request, _with_next("login", request))
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Until a person who must pass the second factor has done so, only set-up, check and sign-out open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.url_name in BEFORE_SECOND_FACTOR:
            return None
        if not two_factor.must_verify(user):
            return None
        step = "two_factor_verify" if two_factor.can_verify(user) else "two_factor_setup"
        return _send_to(request, _with_next(step, request))


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in person hold care data: no browser or proxy may keep a copy (the back button
    on a shared PC after signing out shows nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
