"""Signing a person in on a test client as both steps of the login would, for the test suite and the
benchmark (which requests pages as real people, inside a transaction it rolls back)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .two_factor import AUTHENTICATOR_NAME, authenticator


def signed_in(client, user):
    """Log `user` in on `client` with a real, confirmed authenticator (TOTP device) recorded in the
    session as passed, exactly as the check page does after a right code; the second-step rule
    itself stays on."""
    client.force_login(user)
    device = authenticator(user)
    device = device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
