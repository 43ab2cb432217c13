"""Recovery codes let a person in without their phone: each works once, and new ones replace the old."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor

from .conftest import code_from_app, log_in

pytestmark = pytest.mark.django_db


def codes_on(page) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


@pytest.fixture
def recovery_codes(client, quality_director):
    """The codes shown once, when the quality director set up their app."""
    log_in(client, "quality")
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=quality_director)
    page = client.post(reverse("two_factor_setup"), {"code": code_from_app(device)}).text
    client.post(reverse("logout"))
    codes = codes_on(page)
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    return codes


def test_a_recovery_code_works_once(client, recovery_codes):
    log_in(client, "quality")
    response = client.post(reverse("two_factor_verify"), {"code": recovery_codes[0].upper()})
    assert response.status_code == 302
    page = client.get(reverse("organisation"))
    assert page.status_code == 200
    assert "You used a recovery code. You have 9 left" in page.text
    client.post(reverse("logout"))

    log_in(client, "quality")
    again = client.post(reverse("two_factor_verify"), {"code": recovery_codes[0]})
    assert "The code is not right" in again.text
    assert client.get(reverse("organisation")).status_code == 302


def test_the_codes_are_shown_once(client, recovery_codes, quality_director):
    log_in(client, "quality")
    client.post(reverse("two_factor_verify"), {"code": recovery_codes[1]})
    account = client.get(reverse("two_factor_account")).text
    assert "Recovery codes left" in account and ">9<" in account
    assert not any(code in account for code in recovery_codes)


def test_new_codes_replace_the_old_ones(client, recovery_codes):
    log_in(client, "quality")
    client.post(reverse("two_factor_verify"), {"code": recovery_codes[0]})
    new_codes = codes_on(client.post(reverse("two_factor_recovery_codes")).text)
    assert len(new_codes) == two_factor.RECOVERY_CODE_COUNT
    assert not set(new_codes) & set(recovery_codes)
    client.post(reverse("logout"))

    log_in(client, "quality")
    assert (
        "The code is not right" in client.post(reverse("two_factor_verify"), {"code": recovery_codes[2]}).text
    )


def test_an_operator_resets_a_person_who_lost_phone_and_codes(client, recovery_codes, quality_director):
    out = StringIO()
    call_command("reset_two_step_login", "quality", stdout=out)
    assert "reset for quality" in out.getvalue()
    log_in(client, "quality")
    assert client.get(reverse("organisation")).url.startswith(reverse("two_factor_setup"))
    assert two_factor.recovery_codes_left(quality_director) == 0, "the lost codes no longer work"


def test_resetting_an_unknown_login_says_so():
    with pytest.raises(CommandError, match="no login called 'nobody'"):
        call_command("reset_two_step_login", "nobody")
