"""Who must sign in with a second factor, and every action on their second-factor devices.

The second factor is a time-based code from an authenticator app (a django-otp TOTP device).
Recovery codes (a static device named RECOVERY_DEVICE_NAME) stand in for a lost phone; each works once.
The demo's people who need a second factor get a static device named DEMO_DEVICE_NAME holding the
published DEMO_CODE. It is accepted only when `demo_codes_accepted()`: DEMO_SECOND_FACTOR on, which the
settings refuse unless DEBUG is on, and DEBUG checked again here. Anywhere else a demo device counts
for nothing, so its holder is asked to set up an authenticator app like everyone else.
"""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from providers.choices import ROLE_SCOPE, Scope
from providers.permissions import assignments, compiled_once

PROVIDER_LEVEL_ROLES = [role.value for role, scope in ROLE_SCOPE.items() if scope == Scope.PROVIDER]
AUTHENTICATOR_NAME = "Authenticator app"
AUTHENTICATOR_DIGITS = 6  # recovery codes are 8 letters and digits, so the two never look alike
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
DEMO_DEVICE_NAME = "Demo sign-in code"
DEMO_CODE = "demo2026"


def two_factor_required(user) -> bool:
    """Superusers and anyone holding a provider-level role now (they see the whole provider).

    The roles are those every permission reads (`assignments`: read afresh once a request), so a
    person's pages ask the database once for both, and a role given or removed counts at once.
    """
    if user.is_superuser:
        return True
    return any(a.role in PROVIDER_LEVEL_ROLES for a in assignments(user))


def demo_codes_accepted() -> bool:
    return bool(settings.DEBUG and settings.DEMO_SECOND_FACTOR)


def _confirmed_authenticator(person: int):
    return TOTPDevice.objects.filter(user_id=person, confirmed=True).order_by("pk")[:1]


def authenticator(user) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they have set one up. Asked on every request of a
    person who has not passed the second step (a manager, a commissioner: `must_verify`), so its SQL
    is kept (`compiled_once`) and run with the person."""
    found = compiled_once(None, "a person's authenticator", _confirmed_authenticator, person=user.pk).rows()
    return found[0] if found else None


def has_demo_code(user) -> bool:
    return demo_codes_accepted() and StaticDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).exists()


def must_verify(user) -> bool:
    """Whether this person must pass the second factor before using the service.

    Required people always; anyone else once they have chosen to set up an authenticator app.
    """
    return two_factor_required(user) or authenticator(user) is not None


def can_verify(user) -> bool:
    """Whether the person has a second factor to verify with (otherwise they must set one up)."""
    return authenticator(user) is not None or has_demo_code(user)


# Setting up an authenticator app


def start_enrolment(user) -> TOTPDevice:
    """The unconfirmed authenticator the set-up page shows, made once and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def confirm_enrolment(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new authenticator with a code it shows; it replaces any earlier one.

    Returns new recovery codes (to show once), or None when the code is wrong.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
        if not device.verify_token(_normalise(code)):
            return None
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_recovery_codes(device.user)


def qr_code_svg(device: TOTPDevice) -> str:
    """The set-up link as an SVG QR code, for embedding in the page (no script, no external image)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # Size comes from the stylesheet; the QR's own millimetre size would be tiny on a phone.
    svg = svg.replace('width="', 'data-width="').replace('height="', 'data-height="')
    return svg.replace(
        "<svg ", '<svg class="app-qr" role="img" aria-label="QR code for your authenticator app" ', 1
    )


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret key in groups of four, for people who type it in instead of scanning."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# Recovery codes


def new_recovery_codes(user, count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Replace the person's recovery codes with `count` new ones, each usable once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


# Checking a code


class Throttled(Exception):
    """Too many wrong codes in a row: the person must wait before trying again."""

    def __init__(self, locked_until):
        super().__init__(locked_until)
        self.locked_until = locked_until


def check_code(user, code: str):
    """The device that accepts this code (an authenticator code, a recovery code, or the demo code).

    Returns None for a wrong code. Raises Throttled while the authenticator refuses to check codes
    after repeated wrong ones (django-otp's back-off doubles the wait after each). A recovery code is
    used up by this call.
    """
    code = _normalise(code)
    with transaction.atomic():
        if len(code) == AUTHENTICATOR_DIGITS and code.isdigit():
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            return _checked(device, code)
        if demo_codes_accepted() and code == DEMO_CODE:
            # The published demo code is never used up, so every demo visit can sign in with it.
            return StaticDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).first()
        device = StaticDevice.objects.select_for_update().filter(user=user, name=RECOVERY_DEVICE_NAME).first()
        return _checked(device, code)


def _checked(device, code: str):
    """The device if the code is right for it; None for no device or a wrong code; Throttled while
    the device's back-off refuses to check codes."""
    if device is None:
        return None
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise Throttled((details or {}).get("locked_until"))
    return device if device.verify_token(code) else None


def reset(user) -> None:
    """Remove the person's authenticator app and recovery codes (a lost phone and lost codes).

    A session that passed the second step with the removed app no longer counts as passed, so the
    person sets up a new app at their next page. The demo code, if any, is kept: it works only in a demo.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).delete()


def give_demo_code(user) -> None:
    """Give a demo person the published demo code (accepted only where demo codes are)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=DEMO_DEVICE_NAME)
    StaticToken.objects.get_or_create(device=device, token=DEMO_CODE)


def _normalise(code: str) -> str:
    """People copy codes with spaces or dashes, and type recovery codes in capitals."""
    return "".join(code.split()).replace("-", "").lower()
