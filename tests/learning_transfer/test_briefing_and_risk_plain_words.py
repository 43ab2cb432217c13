"""A matched service's page and its briefing form speak a care manager's words: the form is named for
what it records (the briefing and the risk remaining at the service), every field says what to enter,
and a count of incidents agrees with its number.

Tester's walk (a registered manager on a phone), findings 9 and 13: "Update the exposure log" hid the
mandatory briefing behind jargon, its fields had no explanation, and the page said "1 incidents"."""

from datetime import timedelta

import pytest
from django.urls import reverse

from learning_transfer.models import MatchedService
from learning_transfer.services import issue_notices
from tests.page_structure import text_inside_main

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db


@pytest.fixture
def ash(log_falls_trigger, quality_director, managers):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    return trigger.matches.select_related("service").get(service__name="Ash Grove")


def test_the_briefing_form_is_named_for_what_it_records_and_linked_in_the_same_words(
    client, sign_in, ash, managers
):
    sign_in(managers["ash"])
    url = reverse("learning_transfer:match_exposure", args=[ash.pk])
    match_page = client.get(reverse("learning_transfer:match_detail", args=[ash.pk])).text
    assert f'href="{url}">Briefing and remaining risk at Ash Grove</a>' in match_page
    form = text_inside_main(client.get(url).text)
    assert "Briefing and remaining risk at Ash Grove" in form
    assert "exposure log" in form  # the seed's name stays, as a second label
    assert "Update the exposure log" not in form


def test_every_field_of_the_briefing_form_says_what_to_enter(client, sign_in, ash, managers):
    sign_in(managers["ash"])
    form = text_inside_main(client.get(reverse("learning_transfer:match_exposure", args=[ash.pk])).text)
    for hint in (
        "When every member of staff at Ash Grove had been briefed on this learning",
        "When you found the same risk still open here, for example a floor left without a carer at night",
        "When that risk was put right here",
        "How much you expect this learning to cut that risk here, as a percentage: your estimate",
    ):
        assert hint in form


def test_saving_the_form_says_so_in_its_own_words(client, sign_in, ash, managers):
    sign_in(managers["ash"])
    response = client.post(
        reverse("learning_transfer:match_exposure", args=[ash.pk]),
        {"briefing_completed_at": "2026-11-20T10:00", "expected_reduction_pct": "20"},
        follow=True,
    )
    assert "Briefing and remaining risk at Ash Grove saved." in text_inside_main(response.text)


def test_one_incident_is_said_in_the_singular(client, sign_in, ash, managers):
    MatchedService.objects.filter(pk=ash.pk).update(incidents_7d=1)
    cedar = ash.trigger.matches.get(service__name="Cedar Court")  # no incidents
    sign_in(managers["ash"])
    text = text_inside_main(client.get(reverse("learning_transfer:match_detail", args=[ash.pk])).text)
    assert "(1 incident, " in text and "1 incidents" not in text
    sign_in(managers["cedar"])
    text = text_inside_main(client.get(reverse("learning_transfer:match_detail", args=[cedar.pk])).text)
    assert "(0 incidents, " in text
