"""The demo's council pack tells a story that could have happened: Rowan Court's learning went live
before its implementation was verified, and the pack says what live practice showed at release."""

from io import StringIO

import pytest
from django.core.management import call_command

from adoption.models import Deployment
from reporting_control.choices import Audience
from reporting_control.models import ReportingUpdate
from reporting_control.packs import pack_context

pytestmark = pytest.mark.django_db


def test_rowan_court_went_live_before_it_was_verified_and_the_pack_says_what_live_practice_showed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", days=7, stdout=StringIO())
    deployment = Deployment.objects.select_related("matched_service").get(service__name="Rowan Court")
    assert deployment.deployed_at < deployment.matched_service.implementation_confirmed_at

    update = ReportingUpdate.objects.get(audience=Audience.COMMISSIONER, released_at__isnull=False)
    council = update.services.get(name="Rowan Court").commissioners.get()
    pack = pack_context(update, council)["pack"]

    (rowan,) = pack["live_practice"]
    said = " ".join(rowan["sentences"])
    assert said.startswith("The learning had been live at Rowan Court since ")
    assert "before the learning went live" not in said
    assert "adoption check" in said
    assert pack["summary"] == "The 1 line about your services is evidenced."
