"""Signing a person in, in tests, as both steps of the login would."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def signed_in(client, user):
    """Log `user` in on `client` with a real, confirmed authenticator (TOTP device) recorded in the
    session as passed, exactly as the check page does after a right code; the second-step rule
    itself stays on."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
