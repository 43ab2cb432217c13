"""The engine's pages of a chain A case (the case, its checks, its escalations) show a person only the
matched services' figures their role reaches, as the trigger's page does: the other services' figures
and the words naming them are cut, with a count of them. A check or an escalation placed at a service
or region outside their reach is not opened at all, nor is a case whose trigger they may not read.

Tester's walk: `drm.northwest` read Hawthorn House's (Yorkshire) and Ash Grove's (Midlands) incident
rates on an A1 escalation and its check, and opened an escalation about Ash Grove."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from escalation import engine
from escalation.models import Escalation
from learning_transfer import chain
from learning_transfer.services import adjust_match
from providers.choices import Role
from tests.factories import person_with_role

from .conftest import add_incidents

pytestmark = pytest.mark.django_db

NORTH = ("Ash Grove", "Beech Lodge")
SOUTH = ("Cedar Court", "Dove Cottage")
NOT_SHOWN = re.compile(r"\d+ other matched services? outside your region (is|are) not shown")


@pytest.fixture
def deputy(north):
    return person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="deputy.north")


@pytest.fixture
def breached(client, sign_in, log_falls_trigger, falls_provider, quality_director):
    """The falls learning at Elm House (North) with A1 recorded and breached: Cedar Court (South) is
    above the provider median, and the recorded result names it. Then the later checks fall overdue."""
    add_incidents(falls_provider["cedar"], 14, prefix="cedar-more")
    trigger = log_falls_trigger()
    sign_in(quality_director)
    client.post(reverse("learning_transfer:trigger_record_a1", args=[trigger.pk]))
    engine.tick(timezone.now())
    return trigger


def a1_breach(trigger) -> Escalation:
    return Escalation.objects.get(chain_run=chain.run_for(trigger), step_run__code="A1", kind="breach")


def text_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.text


def test_the_a1_check_shows_a_deputy_their_region_s_figures_and_a_count_of_the_rest(
    client, sign_in, breached, deputy, quality_director
):
    step = a1_breach(breached).step_run
    sign_in(quality_director)
    whole = text_of(client, reverse("escalation:step_run", args=[step.pk]))
    assert "Cedar Court: 2" in whole, "the provider's people read every matched service's rate"
    sign_in(deputy)
    page = text_of(client, reverse("escalation:step_run", args=[step.pk]))
    assert "Ash Grove" in page and "Beech Lodge" in page
    for other in SOUTH:
        assert other not in page, f"{other} (South) is named to the North's deputy"
    assert NOT_SHOWN.search(page)


def test_the_a1_escalation_names_no_service_outside_the_deputy_s_region(
    client, sign_in, breached, deputy, quality_director
):
    url = reverse("escalation:detail", args=[a1_breach(breached).pk])
    sign_in(quality_director)
    assert "Cedar Court" in text_of(client, url)
    sign_in(deputy)
    page = text_of(client, url)
    for other in SOUTH:
        assert other not in page, f"{other} (South) is named to the North's deputy"
    assert NOT_SHOWN.search(page)
    assert "Ash Grove" in page


def test_a_service_s_staff_read_their_own_service_s_figure_only(client, sign_in, breached, falls_provider):
    clinical = person_with_role(Role.CLINICAL_LEAD, service=falls_provider["ash"], username="clinical.ash")
    sign_in(clinical)
    page = text_of(client, reverse("escalation:step_run", args=[a1_breach(breached).step_run_id]))
    assert "Ash Grove" in page
    for other in ("Beech Lodge", *SOUTH):
        assert other not in page


def test_another_region_s_check_and_its_escalation_are_not_opened(client, sign_in, breached, deputy):
    run = chain.run_for(breached)
    south_check = run.step_runs.get(code="A4", region__name="South")
    north_check = run.step_runs.get(code="A4", region__name="North")
    south_overdue = Escalation.objects.get(step_run=south_check, parent=None)
    sign_in(deputy)
    case = text_of(client, reverse("escalation:chain_run", args=[run.pk]))
    assert reverse("escalation:step_run", args=[north_check.pk]) in case
    assert reverse("escalation:step_run", args=[south_check.pk]) not in case
    assert reverse("escalation:detail", args=[south_overdue.pk]) not in case
    assert client.get(reverse("escalation:step_run", args=[south_check.pk])).status_code == 404
    assert client.get(reverse("escalation:detail", args=[south_overdue.pk])).status_code == 404


def test_an_escalation_about_a_service_outside_the_region_is_not_opened(
    client, sign_in, log_falls_trigger, falls_provider, deputy
):
    """A failure at Cedar Court (South) whose learning went to the North's homes too: the North's deputy
    follows the case, but its escalations at Cedar Court are not theirs to open."""
    trigger = log_falls_trigger(source_service=falls_provider["cedar"])
    run = chain.run_for(trigger)
    engine.tick(timezone.now())
    at_cedar = Escalation.objects.filter(chain_run=run, service=falls_provider["cedar"], region=None)
    assert at_cedar.exists()
    sign_in(deputy)
    case = text_of(client, reverse("escalation:chain_run", args=[run.pk]))
    for escalation in at_cedar:
        assert reverse("escalation:detail", args=[escalation.pk]) not in case
        assert client.get(reverse("escalation:detail", args=[escalation.pk])).status_code == 404


def test_a_case_whose_trigger_the_person_may_not_read_is_not_opened(
    client, sign_in, log_falls_trigger, falls_provider, deputy, quality_director
):
    """The learning of a failure at Cedar Court (South) went to no home of the North: the North's deputy
    opens neither the trigger nor its case, checks or escalations."""
    trigger = log_falls_trigger(source_service=falls_provider["cedar"])
    for key in ("elm", "ash", "beech"):
        if trigger.matches.filter(service=falls_provider[key], included=True).exists():
            adjust_match(trigger, falls_provider[key], False, "Not the same risk", by=quality_director)
    run = chain.run_for(trigger)
    engine.tick(timezone.now())
    sign_in(deputy)
    assert client.get(trigger.get_absolute_url()).status_code == 404
    urls = [reverse("escalation:chain_run", args=[run.pk])]
    urls += [reverse("escalation:step_run", args=[step.pk]) for step in run.step_runs.all()]
    urls += [reverse("escalation:detail", args=[e.pk]) for e in run.escalations.all()]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for show in ({}, {"show": "services"}):
        listed = client.get(reverse("escalation:inbox"), show).text
        assert not any(reverse("escalation:detail", args=[e.pk]) in listed for e in run.escalations.all())
