"""The demo's published code lets anyone try the demo, and is worthless anywhere DEBUG is off."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import two_factor

from .conftest import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_quality_director(quality_director):
    two_factor.give_demo_code(quality_director)
    return quality_director


def test_on_a_developers_machine_the_demo_code_lets_a_demo_person_in_again_and_again(
    client, settings, demo_quality_director
):
    settings.DEBUG = True
    settings.DEMO_SECOND_FACTOR = True
    for _ in range(2):
        log_in(client, "quality")
        check = client.get(reverse("organisation"))
        assert check.url.startswith(reverse("two_factor_verify"))
        assert "demo2026" in client.get(check.url).text
        client.post(reverse("two_factor_verify"), {"code": two_factor.DEMO_CODE})
        assert client.get(reverse("organisation")).status_code == 200
        client.post(reverse("logout"))


@pytest.mark.parametrize(("debug", "demo_switch"), [(False, True), (False, False), (True, False)])
def test_elsewhere_the_demo_code_is_refused(client, settings, demo_quality_director, debug, demo_switch):
    settings.DEBUG = debug
    settings.DEMO_SECOND_FACTOR = demo_switch
    log_in(client, "quality")
    # A demo device counts for nothing: the person must set up a real authenticator app.
    assert client.get(reverse("organisation")).url.startswith(reverse("two_factor_setup"))
    assert two_factor.check_code(demo_quality_director, two_factor.DEMO_CODE) is None


def test_production_settings_refuse_to_turn_demo_codes_on():
    env = {**os.environ, "DEBUG": "false", "DEMO_SECOND_FACTOR": "true", "SECRET_KEY": "x" * 50}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DEMO_SECOND_FACTOR accepts the demo's published sign-in code" in result.stderr


def test_the_demo_gives_its_provider_level_people_the_demo_code_and_says_so(
    django_capture_on_commit_callbacks,
):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", days=7, stdout=out)
    with_code = set(
        StaticDevice.objects.filter(name=two_factor.DEMO_DEVICE_NAME).values_list("user__username", flat=True)
    )
    assert {"quality.director", "ni", "admin", "other.quality"} <= with_code
    assert not {"rm.elmhouse", "drm.northwest", "commissioner.council"} & with_code
    lines = {line.split()[0]: line for line in out.getvalue().splitlines() if line.startswith("  ")}
    assert "code demo2026" in lines["quality.director"]
    assert "password only" in lines["rm.elmhouse"]
