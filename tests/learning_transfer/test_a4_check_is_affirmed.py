"""The Deputy Regional Manager's regional check (A4) arrives with every figure filled in by the system:
the two counts, and the expected reduction of each risk-level group from the exposure log. Pressing
"Save" with nothing typed must not count as a check: the person says what they checked. The groups'
figures, which only the exposure log can change, are shown as a read-only table, not as lines of
"name = number" to retype.

The falls trigger at Elm House matches, in the North, Ash Grove (high risk) and Beech Lodge (medium).
"""

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import strip_tags

from escalation.models import StepRecord
from learning_transfer import chain
from learning_transfer.services import issue_notices, update_exposure
from providers.choices import Role
from tests.accessibility import assert_accessible
from tests.factories import person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
NOW = CONFIRMED + timedelta(hours=3)
SAY_WHAT = "Say what you checked, for example which records you compared the figures with."


@pytest.fixture
def a4_page(client, log_falls_trigger, north, operations_director, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    for name, pct in {"Ash Grove": 15, "Beech Lodge": 14}.items():
        match = trigger.matches.select_related("trigger__provider", "service").get(service__name=name)
        update_exposure(match, by=operations_director, expected_reduction_pct=Decimal(pct), now=NOW)
    north_a4 = next(run for run in chain.region_step_runs(trigger, "A4") if run.region.name == "North")
    client.force_login(person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="drm-north"))
    return reverse("escalation:step_run", args=[north_a4.pk])


def prefilled(client, url) -> dict:
    """What the form sends when the person presses Save without typing: its pre-filled inputs."""
    form = client.get(url).context["form"]
    values = {name: form[name].value() for name in form.fields}
    return {name: "" if value is None else value for name, value in values.items()}


def test_a4_saved_with_nothing_typed_is_refused_asking_what_was_checked(client, a4_page):
    with time_machine.travel(NOW, tick=False):
        page = client.post(a4_page, prefilled(client, a4_page)).text
    assert "There is a problem" in page
    assert 'href="#id_check_done"' in page
    assert SAY_WHAT in unescape(page)
    assert_accessible(page)
    assert not StepRecord.objects.exists()


def test_a4_is_recorded_once_the_person_says_what_they_checked(client, a4_page):
    with time_machine.travel(NOW, tick=False):
        sent = prefilled(client, a4_page) | {
            "check_done": "Each line against the exposure log and action lists."
        }
        client.post(a4_page, sent)
    record = StepRecord.objects.get()
    assert record.check_done == "Each line against the exposure log and action lists."
    assert record.values["expected_reduction_pct"] == {
        "High-risk services": 15.0,
        "Medium-risk services": 14.0,
    }


def test_the_groups_figures_from_the_exposure_log_are_a_read_only_table(client, a4_page):
    with time_machine.travel(NOW, tick=False):
        response = client.get(a4_page)
    page = unescape(strip_tags(response.text))
    assert "expected_reduction_pct" not in response.context["form"].fields  # nothing to retype
    assert "These come from the exposure log; correct them there." in page
    assert "'name = number'" not in page
    assert "High-risk services" in page and "15 %" in page
    assert "Medium-risk services" in page and "14 %" in page
    assert_accessible(response.text)
