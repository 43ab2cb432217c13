"""A service improvement lead records the night shift's check ("Check the new way of working on each
shift", B1) within threshold after a night-shift observation that breached it. The deployment page's
comparison by shift counts the check: the night shift's latest figure is the check's, the row says it
came from that check, and nothing is entered twice. Whichever record is later wins.

Elm House (early 07:00–15:00, late 14:00–22:00, night 21:30–07:30); the learning went live on
Monday 23 November 2026 at 09:00 with 80 % care-record completion as its baseline; B1 is weak while
completion improves by less than 5 points."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adoption import chain, services
from escalation import services as engine
from escalation.models import StepRun

from .conftest import at, deploy

pytestmark = pytest.mark.django_db

COMPLETION = "record_completion_pct"
CHECK_DONE = "Care notes and task timestamps of the whole shift cross-checked."


def shift_check(deployment, occurrence: int):
    """B1's occurrence: 1 is Monday's late shift, 2 Monday's night shift, 3 Tuesday's early shift."""
    return chain.run_for(deployment).step_runs.get(code="B1", occurrence=occurrence)


def record_check(deployment, people, occurrence: int, completion, now):
    return engine.record_step(
        shift_check(deployment, occurrence),
        by=people.service_improvement_lead,
        values={
            COMPLETION: completion,
            "record_completion_pct__baseline": 80,
            "responses_over_10_min": 0,
            "repeat_errors_3_interactions": 0,
        },
        check_done=CHECK_DONE,
        now=now,
    )


def observe_night(deployment, people, completion, when):
    services.record_team_observation(
        deployment,
        by=people.service_improvement_lead,
        step_code="B1",
        values={COMPLETION: completion},
        shift_name="night",
        observed_at=when,
    )


@pytest.fixture
def deployment(match, people, time_machine):
    time_machine.move_to(at(23, 9), tick=False)
    return deploy(match, people.registered_manager)


def night_row(page_context):
    (section,) = [s for s in page_context["sections"] if s["measure"] == COMPLETION]
    (row,) = [r for r in section["rows"] if (r["dimension"], r["group"]) == ("shift", "night")]
    return row


def test_a_night_check_within_threshold_aligns_the_night_shift(client, deployment, people, time_machine):
    time_machine.move_to(at(24, 0, 30), tick=False)
    observe_night(deployment, people, 82, at(23, 23))  # +2 points: weak
    record_check(deployment, people, 2, 90, at(24, 0, 30))  # +10 points: within
    time_machine.move_to(at(24, 2), tick=False)
    client.force_login(people.registered_manager)
    response = client.get(reverse("adoption:deployment_detail", args=[deployment.pk]))
    row = night_row(response.context)
    assert row["latest"] == 90 and not row["weak_now"]
    assert row["aligned_since"] == at(24, 0, 30)
    assert response.context["weak_now"] == []
    page = response.text
    assert "from the night-shift check of Mon 23 Nov" in page
    assert "No team, shift or location is weak now." in page
    # Closing reads the same comparison: no group keeps enhanced review open.
    refusals = services.closing_refusals(services.variation_sections(deployment), None)
    assert not any("weak now" in refusal for refusal in refusals)


def test_a_later_observation_wins_over_an_earlier_check(client, deployment, people, time_machine):
    time_machine.move_to(at(24, 0, 30), tick=False)
    record_check(deployment, people, 2, 90, at(24, 0, 30))
    time_machine.move_to(at(24, 1), tick=False)
    observe_night(deployment, people, 82, at(24, 1))
    time_machine.move_to(at(24, 2), tick=False)
    client.force_login(people.registered_manager)
    response = client.get(reverse("adoption:deployment_detail", args=[deployment.pk]))
    row = night_row(response.context)
    assert row["latest"] == 82 and row["weak_now"]
    assert row["observations"] == 2  # the check and the observation
    assert "from an observation</li>" in response.text  # the weak-now list says which record


def test_the_page_reads_the_shift_checks_in_a_fixed_number_of_queries(
    client, deployment, people, time_machine
):
    url = reverse("adoption:deployment_detail", args=[deployment.pk])
    counts = []
    for occurrence, now in ((1, at(23, 15)), (2, at(23, 22)), (3, at(24, 8))):
        time_machine.move_to(now, tick=False)
        record_check(deployment, people, occurrence, 90, now)
        client.force_login(people.registered_manager)
        client.get(url)  # the session's first page after signing in reads more than the next
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2]
    (section,) = [s for s in services.variation_sections(deployment) if s["measure"] == COMPLETION]
    assert {row["group"] for row in section["rows"]} == {"early", "late", "night"}


def test_a_check_recorded_late_counts_at_its_shift_not_when_it_was_typed(
    client, deployment, people, time_machine
):
    """Found: Friday night's check typed on Monday became the night shift's "latest" figure, over a
    good observation of Sunday night, and made the night shift weak now (and blocked closing). A
    shift's check counts at its shift: when it was recorded, or its deadline in the shift if later."""
    time_machine.move_to(at(25, 9), tick=False)
    observe_night(deployment, people, 95, at(24, 23))  # Tuesday night: +15 points, aligned
    record_check(deployment, people, 2, 82, at(25, 9))  # Monday night's check, typed on Wednesday
    client.force_login(people.registered_manager)
    response = client.get(reverse("adoption:deployment_detail", args=[deployment.pk]))
    row = night_row(response.context)
    assert row["latest"] == 95 and not row["weak_now"]
    assert row["observations"] == 2
    refusals = services.closing_refusals(services.variation_sections(deployment), None)
    assert not any("weak now" in refusal for refusal in refusals)


def test_a_measure_without_a_threshold_is_not_called_within_threshold(
    client, deployment, people, time_machine
):
    """Found: "Responses over 10 minutes" read "No threshold on this measure" above a table calling each
    group "Within threshold"."""
    time_machine.move_to(at(24, 0, 30), tick=False)
    record_check(deployment, people, 2, 90, at(24, 0, 30))
    client.force_login(people.registered_manager)
    response = client.get(reverse("adoption:deployment_detail", args=[deployment.pk]))
    (section,) = [s for s in response.context["sections"] if s["measure"] == "responses_over_10_min"]
    assert not section["judged"]
    table = response.text.split("Responses over 10", 1)[1].split("</table>", 1)[0]
    assert "No threshold on this measure" in table
    assert "Within threshold" not in table and "No threshold</td>" in table


# Found: Friday night's check recorded on Monday was headed "Care records not improving — reset the
# change on this shift": read days later, "this shift" and "tonight" send people to the wrong shift.


def test_a_breach_recorded_in_its_shift_keeps_the_seeds_words(deployment, people, time_machine):
    time_machine.move_to(at(24, 0, 30), tick=False)
    record_check(deployment, people, 2, 82, at(24, 0, 30))  # Monday night's check, in the night
    step = StepRun.objects.get(pk=shift_check(deployment, 2).pk)
    assert step.state_words() == "Care records not improving — reset the change on this shift"


def test_a_breach_recorded_days_after_its_shift_asks_for_the_next_shift(deployment, people, time_machine):
    time_machine.move_to(at(26, 10), tick=False)
    record_check(deployment, people, 2, 82, at(26, 10))  # Monday night's check, typed on Thursday
    step = StepRun.objects.get(pk=shift_check(deployment, 2).pk)
    assert step.state_words() == (
        "Care records not improving — recorded after the shift it checks: act on the next shift"
    )
