"""An escalation raised because a step is overdue is resolved only once the step is recorded, or with a
note saying why not: otherwise an overdue control would quietly drop out of the open count."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation import engine, services
from escalation.models import Escalation
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db

A2_VALUES = {"pct_received_within_4h": 100, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
NOTE_NEEDED = "The step is still not recorded: say why you are resolving this escalation anyway."


@pytest.fixture
def overdue_a2(chain_a, people, time_machine):
    """A2 fell overdue at 10:18; the Quality Director was told and has recorded an action."""
    time_machine.move_to(at(23, 10, 40), tick=False)
    [escalation] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    services.record_action(
        escalation,
        by=people.quality_director,
        action_taken="Phoned the Governance Officer.",
        now=at(23, 10, 30),
    )
    return escalation


def test_an_overdue_step_still_not_recorded_needs_a_note_to_resolve(overdue_a2, people):
    open_before = services.escalation_counts(overdue_a2.provider, "A", at(23, 10, 40))["open"]
    with pytest.raises(ValidationError) as refused:
        services.resolve(overdue_a2, by=people.quality_director, now=at(23, 10, 40))
    assert refused.value.message_dict == {"note": [NOTE_NEEDED]}
    overdue_a2.refresh_from_db()
    assert overdue_a2.state == "acknowledged"
    assert services.escalation_counts(overdue_a2.provider, "A", at(23, 10, 40))["open"] == open_before


def test_a_note_saying_why_lets_it_be_resolved_while_the_step_is_not_recorded(overdue_a2, people):
    note = "The Governance Officer is off sick; the Operations Director covers the sample tomorrow."
    services.resolve(overdue_a2, by=people.quality_director, note=note, now=at(23, 10, 40))
    overdue_a2.refresh_from_db()
    assert (overdue_a2.state, overdue_a2.resolution_note) == ("resolved", note)


def test_once_the_step_is_recorded_it_resolves_without_a_note(overdue_a2, people, chain_a):
    services.record_step(
        step(chain_a, "A2"),
        by=people.governance_officer,
        values=A2_VALUES,
        now=at(23, 10, 35),
        check_done=CHECK_DONE,
    )
    services.resolve(overdue_a2, by=people.quality_director, now=at(23, 10, 40))
    assert Escalation.objects.get(pk=overdue_a2.pk).state == "resolved"


def test_the_page_shows_the_note_is_needed_on_the_field_and_keeps_it_open(
    overdue_a2, people, client, sign_in
):
    sign_in(people.quality_director)
    response = client.post(reverse("escalation:resolve", args=[overdue_a2.pk]), {"note": "  "})
    page = response.text
    assert response.status_code == 200
    assert "There is a problem" in page and page.count(NOTE_NEEDED) == 2  # summary and field
    assert "Escalation resolved" not in page
    assert "has not recorded it" in page, "the Why still says the step is not recorded"
    assert Escalation.objects.get(pk=overdue_a2.pk).state == "acknowledged"


def test_a_breach_escalation_needs_no_note(chain_a, people):
    values = {**A2_VALUES, "pct_received_within_4h": 75}
    record = services.record_step(
        step(chain_a, "A2"),
        by=people.governance_officer,
        values=values,
        now=at(23, 10),
        check_done=CHECK_DONE,
    )
    escalation = record.escalation
    services.record_action(escalation, by=people.quality_director, action_taken="Re-sent.", now=at(23, 10, 5))
    services.resolve(escalation, by=people.quality_director, now=at(23, 10, 6))
    assert Escalation.objects.get(pk=escalation.pk).state == "resolved"


def test_the_note_is_asked_for_not_marked_optional_while_the_step_is_not_recorded(
    overdue_a2, people, client, sign_in, chain_a
):
    sign_in(people.quality_director)
    url = reverse("escalation:detail", args=[overdue_a2.pk])
    page = client.get(url).text
    assert "Resolution note (optional)" not in page and "Resolution note" in page
    assert "Say why you are resolving it while the step is not recorded." in page
    services.record_step(
        step(chain_a, "A2"),
        by=people.governance_officer,
        values=A2_VALUES,
        now=at(23, 10, 35),
        check_done=CHECK_DONE,
    )
    assert "Resolution note (optional)" in client.get(url).text
