"""Signing in as a person would: password first, then the second factor when their role needs it."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct-horse-battery"  # every factory person's password


def log_in(client, username, address="127.0.0.1", **headers):
    """The password step, from one network address."""
    return client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=address, **headers
    )


def code_from_app(device: TOTPDevice) -> str:
    """What the person's authenticator app shows now, computed from the device's secret."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


@pytest.fixture
def enrolled_quality_director(quality_director):
    """A quality director who set up an authenticator app earlier."""
    TOTPDevice.objects.create(user=quality_director, name="Authenticator app", confirmed=True)
    return quality_director
