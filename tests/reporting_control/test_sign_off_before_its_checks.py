"""The sign-off for issue (C5) is judged against the checks before it (C1, C3, C4), and the challenge
of the claims (C4) against the evidence register (C1) and the figures (C2). Found: the Provider
Director could record C5 before any of those, with no word that the records it is checked against did
not exist yet (release was refused later, on another page). The step page now names the checks not
recorded yet, with links, and recording asks "record it now anyway" before it goes ahead; the case's
timeline keeps that it was recorded before them."""

import pytest
from django.urls import reverse

from escalation.models import EngineEvent, StepRecord
from reporting_control import chain
from tests.factories import check_and_sign_off

from . import test_sign_off_figures as sign_off

pytestmark = pytest.mark.django_db
four_lines = sign_off.four_lines

ANYWAY = "record_anyway"


def _page(update, code):
    return reverse("escalation:step_run", args=[chain.step_run(update, code).pk])


def test_the_sign_off_page_names_the_checks_not_recorded_yet(client, sign_in, four_lines, provider_director):
    sign_in(provider_director)
    response = client.get(_page(four_lines, "C5"))

    text = response.text
    assert "Not recorded yet" in text
    for code in ("C1", "C3", "C4"):
        step = chain.step_run(four_lines, code)
        assert f'href="{step.get_absolute_url()}"' in text
        assert step.label in text
    assert ANYWAY in response.context["form"].fields


def test_recording_the_sign_off_before_its_checks_needs_the_box_ticked(
    client, sign_in, four_lines, provider_director
):
    sign_in(provider_director)
    form = sign_off._sign_off_form()
    del form[ANYWAY]
    response = client.post(_page(four_lines, "C5"), form)

    assert response.status_code == 200
    error = response.context["form"].errors[ANYWAY][0]
    assert "C1, C3 and C4" not in error  # named in words, each with its code
    assert chain.step_run(four_lines, "C1").label in error
    assert chain.step_run(four_lines, "C4").label in error
    assert not StepRecord.objects.filter(step_run=chain.step_run(four_lines, "C5")).exists()
    assert "Every line checked against C4, C3 and C1." in response.text  # nothing typed is lost


def test_ticked_it_is_recorded_and_the_timeline_says_before_which_checks(
    client, sign_in, four_lines, provider_director
):
    sign_in(provider_director)
    response = client.post(_page(four_lines, "C5"), sign_off._sign_off_form())

    assert response.status_code == 302
    assert StepRecord.objects.filter(step_run=chain.step_run(four_lines, "C5"), is_current=True).exists()
    event = EngineEvent.objects.filter(step_run=chain.step_run(four_lines, "C5")).latest("at")
    assert "before" in event.message
    assert chain.step_run(four_lines, "C3").label in event.message


def test_once_its_checks_are_recorded_nothing_is_asked(client, sign_in, four_lines, provider_director):
    check_and_sign_off(four_lines, None, codes=["C1", "C3", "C4"])
    sign_in(provider_director)
    response = client.get(_page(four_lines, "C5"))

    assert "Not recorded yet" not in response.text
    assert ANYWAY not in response.context["form"].fields
    form = sign_off._sign_off_form()
    del form[ANYWAY]
    response = client.post(_page(four_lines, "C5"), form)
    assert response.status_code == 302
    event = EngineEvent.objects.filter(step_run=chain.step_run(four_lines, "C5")).latest("at")
    assert "before" not in event.message


def test_the_challenge_of_the_claims_is_checked_against_the_register_and_the_figures(
    client, sign_in, four_lines, operations_director
):
    """C4: "every high-risk line against C1 and C2". Any day's check of the figures will do."""
    sign_in(operations_director)
    text = client.get(_page(four_lines, "C4")).text
    assert chain.step_run(four_lines, "C1").label in text
    assert chain.step_run(four_lines, "C2").name in text

    check_and_sign_off(four_lines, None, codes=["C1", "C2"])
    assert "Not recorded yet" not in client.get(_page(four_lines, "C4")).text


def test_a_sign_off_recorded_before_its_checks_asks_to_be_recorded_again(
    client, sign_in, four_lines, provider_director
):
    """Found: once C1 and C4 were recorded after the sign-off, only the release box said to record the
    sign-off again; the sign-off's own page still read "Recorded — no action needed"."""
    sign_in(provider_director)
    client.post(_page(four_lines, "C5"), sign_off._sign_off_form())
    assert 'data-testid="recorded-after"' not in client.get(_page(four_lines, "C5")).text

    check_and_sign_off(four_lines, None, codes=["C1", "C3", "C4"])
    page = client.get(_page(four_lines, "C5")).text
    assert "Record this check again" in page
    assert chain.step_run(four_lines, "C1").label in page
