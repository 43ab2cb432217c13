"""Found: the top roles' "My escalations" mixed a night's reminders with the problems themselves, from
every service at once, with no way to narrow it. It now filters by what an escalation is (the problems:
a threshold reached, a step overdue, a weak group; or the reminders that nobody acknowledged one in
time), by region and by service, each escalation where it is placed (a check run once per region, A4,
in its region).

Two chain A cases, one at Elm House (North) and one at Cedar Court (South), go unanswered for a day."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import engine, services
from escalation.choices import EscalationKind
from escalation.inbox import InboxView
from escalation.models import Escalation

from .conftest import at

pytestmark = pytest.mark.django_db
INBOX = reverse("escalation:inbox")


@pytest.fixture
def two_cases(chain_a, provider, cedar_court, subject, time_machine):
    services.start_chain("A", provider=provider, subject=subject(), anchor_at=at(20, 16), service=cedar_court)
    time_machine.move_to(at(24, 17), tick=False)
    for moment in (at(23, 10, 19), at(23, 12, 20), at(23, 14, 21), at(23, 16, 30), at(24, 10), at(24, 17)):
        engine.tick(moment)


@pytest.fixture(autouse=True)
def whole_lists(monkeypatch):
    """Every escalation on one page, so a filtered list can be compared with the whole one."""
    monkeypatch.setattr(InboxView, "page_size", 500)
    monkeypatch.setattr(InboxView, "others_size", 500)


def listed(response):
    """The escalations the inbox lists as the person's own and others'."""
    context = response.context
    return {e.pk for e in [*context["yours"], *context["others"]]}


def test_the_problems_apart_from_the_reminders(two_cases, people, client, sign_in):
    sign_in(people.nominated_individual)
    everything = listed(client.get(INBOX))
    kinds = dict(Escalation.objects.filter(pk__in=everything).values_list("pk", "kind"))
    assert EscalationKind.FOLLOW_UP in kinds.values() and EscalationKind.OVERDUE in kinds.values()

    problems = client.get(INBOX, {"what": "problems"})
    reminders = client.get(INBOX, {"what": "reminders"})

    assert listed(problems) == {pk for pk, kind in kinds.items() if kind != EscalationKind.FOLLOW_UP}
    assert listed(reminders) == {pk for pk, kind in kinds.items() if kind == EscalationKind.FOLLOW_UP}
    assert "Showing reminders only" in reminders.text


def test_by_service_and_by_region(two_cases, people, client, sign_in, elm_house, cedar_court, south):
    sign_in(people.provider_director)
    everything = listed(client.get(INBOX))
    places = {e.pk: e.service_id for e in Escalation.objects.filter(pk__in=everything)}
    assert set(places.values()) == {elm_house.pk, cedar_court.pk}

    at_cedar = client.get(INBOX, {"service": cedar_court.pk})
    in_the_south = client.get(INBOX, {"region": south.pk})

    cedar = {pk for pk, service in places.items() if service == cedar_court.pk}
    assert listed(at_cedar) == cedar == listed(in_the_south)
    assert "Showing escalations at Cedar Court" in at_cedar.text
    # The box keeps the choice, so the person sees what the list is narrowed to; a filter box only
    # narrows the list, so none is called "(optional)".
    assert 'for="id_service">Service<' in at_cedar.text
    assert f'<option value="{cedar_court.pk}" selected>' in at_cedar.text


def test_a_refused_choice_is_named(two_cases, people, client, sign_in, other_provider_service):
    sign_in(people.provider_director)
    page = client.get(INBOX, {"service": other_provider_service.pk, "what": "sideways"})
    assert page.status_code == 200
    assert "Choose one of the services listed." in page.text
    # Nothing is narrowed by a refused choice: the whole list is shown.
    assert listed(page) == listed(client.get(INBOX))


def test_a_filter_adds_no_query_per_row(two_cases, people, client, sign_in, cedar_court):
    sign_in(people.provider_director)
    client.get(INBOX)
    with CaptureQueriesContext(connection) as plain:
        client.get(INBOX)
    with CaptureQueriesContext(connection) as narrowed:
        client.get(INBOX, {"service": cedar_court.pk, "what": "problems"})
    assert len(narrowed) <= len(plain) + 2


def test_acknowledging_the_ones_ticked_keeps_the_filter(two_cases, people, client, sign_in, cedar_court):
    """Found (tester 15): "Acknowledge the ones ticked" on a filtered list came back to the whole list."""
    sign_in(people.provider_director)
    narrowed = client.get(INBOX, {"service": cedar_court.pk, "what": "problems"})
    [first, *_] = narrowed.context["yours"]
    assert 'name="back"' in narrowed.text
    answer = client.post(
        reverse("escalation:acknowledge_ticked"),
        {"escalation": [first.pk], "back": f"service={cedar_court.pk}&what=problems"},
    )
    assert answer.url == f"{INBOX}?service={cedar_court.pk}&what=problems"
    # Anything but a query string is not followed: the inbox itself.
    elsewhere = client.post(
        reverse("escalation:acknowledge_ticked"), {"escalation": [first.pk], "back": "//evil.example/"}
    )
    assert elsewhere.url == INBOX


def test_the_choices_read_on_a_phone_and_a_refused_one_says_what_to_do(
    two_cases, people, client, sign_in, other_provider_service
):
    """Found (tester 15): "Problems: thresholds reached, steps overdue, weak groups" was cut off in the
    box at 390 px, and a service not the person's said Django's "Select a valid choice"."""
    sign_in(people.provider_director)
    page = client.get(INBOX, {"service": other_provider_service.pk})
    form = page.context["filter_form"]
    assert all(len(label) <= 30 for _, label in form.fields["what"].choices)
    assert "Problems: a threshold reached, a step overdue or a weak group" in form.fields["what"].help_text
    assert form.errors["service"] == ["Choose one of the services listed."]
