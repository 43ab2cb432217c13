"""The second factor's pages: set up an authenticator app, check a code after the password, recovery codes."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login

from providers.mixins import FormOnlyMixin

from . import two_factor
from .forms import SetUpForm, VerifyForm

RECOVERY_CODES_LOW = 3


def _next_url(request) -> str:
    """Where to go once the second factor is passed: the page asked for, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _passed(request, device) -> None:
    """Mark the session as having passed the second factor, under a new session key (no fixation)."""
    otp_login(request, device)
    request.session.cycle_key()


def _show_recovery_codes(request, codes, *, first_time: bool):
    """The only time the codes are shown: the page is the answer to the POST that made them."""
    return render(
        request,
        "registration/two_factor_recovery_codes.html",
        {"codes": codes, "first_time": first_time, "next": _next_url(request)},
    )


class SecondFactorPageMixin(LoginRequiredMixin):
    """The set-up and check pages hide the menu until the second factor is passed."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            second_factor_pending=not self.request.user.is_verified(), next=_next_url(self.request), **kwargs
        )


class TwoFactorSetUpView(SecondFactorPageMixin, FormView):
    """Scan a QR code (or type the key), then enter a code from the app to prove it works."""

    template_name = "registration/two_factor_setup.html"
    form_class = SetUpForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.is_verified() and two_factor.can_verify(user):
            # Replacing an app needs the second factor first: a stolen password must not be enough.
            return redirect(_step_url("two_factor_verify", request))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = two_factor.start_enrolment(self.request.user)
        return super().get_context_data(
            qr_code=two_factor.qr_code_svg(device),
            secret=two_factor.secret_for_typing(device),
            replacing=two_factor.authenticator(self.request.user) is not None,
            required=two_factor.two_factor_required(self.request.user),
            **kwargs,
        )

    def form_valid(self, form):
        device = two_factor.start_enrolment(self.request.user)
        codes = two_factor.confirm_enrolment(device, form.cleaned_data["code"])
        if codes is None:
            form.add_error(
                "code",
                "The code is not right. Enter the newest 6-digit code the app shows, "
                "and check the time on your phone is set automatically",
            )
            return self.form_invalid(form)
        device.refresh_from_db()
        _passed(self.request, device)
        return _show_recovery_codes(self.request, codes, first_time=True)


class TwoFactorVerifyView(SecondFactorPageMixin, FormView):
    """After the password: a code from the authenticator app, a recovery code, or the demo code."""

    template_name = "registration/two_factor_verify.html"
    form_class = VerifyForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not two_factor.can_verify(user):
            return redirect(_step_url("two_factor_setup", request))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        demo_code = two_factor.DEMO_CODE if two_factor.has_demo_code(self.request.user) else None
        return super().get_context_data(demo_code=demo_code, **kwargs)

    def form_valid(self, form):
        try:
            device = two_factor.check_code(self.request.user, form.cleaned_data["code"])
        except two_factor.Throttled as throttled:
            form.add_error("code", _wait_message(throttled.locked_until))
            return self.form_invalid(form)
        if device is None:
            form.add_error("code", "The code is not right. Enter the newest code, or a recovery code")
            return self.form_invalid(form)
        _passed(self.request, device)
        if device.name == two_factor.RECOVERY_DEVICE_NAME:
            left = two_factor.recovery_codes_left(self.request.user)
            level = messages.WARNING if left < RECOVERY_CODES_LOW else messages.INFO
            messages.add_message(
                self.request,
                level,
                f"You used a recovery code. You have {left} left: make new ones under Two-step sign-in.",
            )
        return redirect(_next_url(self.request))


class TwoFactorAccountView(LoginRequiredMixin, TemplateView):
    """Two-step sign-in for this person: whether it is on, required, and how many recovery codes are left."""

    template_name = "registration/two_factor_account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            authenticator=two_factor.authenticator(user),
            required=two_factor.two_factor_required(user),
            codes_left=two_factor.recovery_codes_left(user),
            **kwargs,
        )


class RecoveryCodesView(FormOnlyMixin, LoginRequiredMixin, View):
    """Make new recovery codes (the old ones stop working) and show them this once."""

    form_page_name = "two_factor_account"

    def post(self, request):
        if two_factor.authenticator(request.user) is None or not request.user.is_verified():
            return redirect("two_factor_account")
        return _show_recovery_codes(request, two_factor.new_recovery_codes(request.user), first_time=False)


def _step_url(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _wait_message(locked_until) -> str:
    """After each wrong code django-otp doubles the wait before it checks another (1, 2, 4... seconds)."""
    seconds = (
        60 if locked_until is None else max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    )
    return f"Wait {seconds} second{'s' if seconds != 1 else ''} before you try another code"
