"""Once the step is recorded, the levels of its escalation nobody took up are settled; resolving a
level settles the levels below it, and the levels above it only once the step is recorded: no director
is asked to act on something already done, nothing climbs further, and the person whose lateness raised
a follow-up cannot close it while the step is still missing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import engine, services, settling
from escalation.models import EngineEvent, Escalation
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db

A2_VALUES = {"pct_received_within_4h": 100, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}


def a2(escalations):
    """Only A2's escalations (A1, A3 and A4 fall due too as the day goes on)."""
    return [e for e in escalations if e.step_run.code == "A2"]


@pytest.fixture
def three_levels(chain_a, people, time_machine):
    """A2 fell overdue at 10:18 and nobody acknowledged it: Quality Director, Provider Director, then
    the Nominated Individual were told."""
    time_machine.move_to(at(23, 14, 25), tick=False)
    [first] = a2(engine.tick(at(23, 10, 19)).overdue)
    [second] = a2(engine.tick(at(23, 12, 20)).follow_ups)
    [third] = a2(engine.tick(at(23, 14, 21)).follow_ups)
    return first, second, third


def fresh(*escalations):
    return [Escalation.objects.get(pk=e.pk) for e in escalations]


def a2_yours_to_do(client, sign_in, person):
    """A2's escalations in the person's "Yours to do" (A1, A3 and A4 are overdue too)."""
    sign_in(person)
    return a2(client.get(reverse("escalation:inbox")).context["yours"])


def test_resolving_the_first_level_leaves_the_follow_ups_above_open_while_the_step_is_missing(
    three_levels, people, client, sign_in
):
    """The tester's case: the first level's holder, who missed its window, resolved it with one word
    while the step was still overdue, and that closed the directors' follow-ups too."""
    first, second, third = three_levels
    qd = people.quality_director
    services.record_action(first, by=qd, action_taken="Phoned the Governance Officer.", now=at(23, 14, 30))
    services.resolve(first, by=qd, note="Done", now=at(23, 14, 35))

    first, second, third = fresh(first, second, third)
    assert first.state_words == "Resolved — action recorded"
    for follow_up in (second, third):
        assert (follow_up.state, follow_up.settled, follow_up.resolved_by) == ("raised", False, None)
    assert [e.pk for e in a2_yours_to_do(client, sign_in, people.provider_director)] == [second.pk]
    assert third.pk in [e.pk for e in a2_yours_to_do(client, sign_in, people.nominated_individual)]


def test_recording_the_step_then_settles_the_follow_ups_left_open(three_levels, people):
    first, second, third = three_levels
    qd = people.quality_director
    services.record_action(first, by=qd, action_taken="Phoned.", now=at(23, 14, 30))
    services.resolve(first, by=qd, note="Covered.", now=at(23, 14, 35))
    officer = people.governance_officer
    services.record_step(
        first.step_run, by=officer, values=A2_VALUES, now=at(23, 14, 40), check_done=CHECK_DONE
    )
    for settled in fresh(second, third):
        assert (settled.state, settled.settled, settled.resolved_by) == ("resolved", True, officer)


def test_once_the_step_is_recorded_resolving_a_level_settles_the_levels_above(three_levels, people):
    first, second, third = three_levels
    qd = people.quality_director
    # Both taken up, so recording the step leaves each to its holder.
    services.acknowledge(first, by=qd, now=at(23, 14, 26))
    services.acknowledge(second, by=people.provider_director, now=at(23, 14, 26))
    services.record_step(
        first.step_run,
        by=people.governance_officer,
        values=A2_VALUES,
        now=at(23, 14, 28),
        check_done=CHECK_DONE,
    )
    services.record_action(first, by=qd, action_taken="Phoned.", now=at(23, 14, 30))
    services.resolve(first, by=qd, now=at(23, 14, 35))  # no note: the step is recorded
    second = Escalation.objects.get(pk=second.pk)
    assert (second.state, second.settled, second.resolved_by) == ("resolved", True, qd)
    assert second.state_words == (
        f"Settled — resolved by {qd} at level 1 (Quality Director) on Mon 23 Nov 2026, 14:35"
    )


def test_resolving_the_middle_level_settles_the_first_and_leaves_the_top_open(three_levels, people):
    first, second, third = three_levels
    director = people.provider_director
    services.record_action(second, by=director, action_taken="Called the manager.", now=at(23, 14, 30))
    services.resolve(second, by=director, note="Cover arranged for the officer.", now=at(23, 14, 35))
    first, third = fresh(first, third)
    assert (first.state, first.settled, first.resolved_by) == ("resolved", True, director)
    assert first.state_words == (
        f"Settled — resolved by {director} at level 2 (Provider Director) on Mon 23 Nov 2026, 14:35"
    )
    assert (third.state, third.settled) == ("raised", False)


def test_the_resolve_form_says_the_follow_ups_above_stay_open(three_levels, people, client, sign_in):
    first, second, third = three_levels
    qd = people.quality_director
    services.record_action(first, by=qd, action_taken="Phoned.", now=at(23, 14, 30))
    sign_in(qd)
    page = client.get(reverse("escalation:detail", args=[first.pk])).text
    said = (
        "The follow-ups to the Provider Director and the Nominated Individual stay open for them "
        "until the step is recorded."
    )
    assert said in page.split(">Resolve</button>", 1)[0]
    services.record_action(third, by=people.nominated_individual, action_taken="Asked.", now=at(23, 14, 31))
    sign_in(people.nominated_individual)
    assert "stay open for them" not in client.get(reverse("escalation:detail", args=[third.pk])).text


def test_the_settlement_is_kept_in_history_and_events(three_levels, people):
    first, second, third = three_levels
    ni = people.nominated_individual
    services.record_action(third, by=ni, action_taken="Asked the Quality Director.", now=at(23, 14, 30))
    services.resolve(third, by=ni, note="Handled at board level.", now=at(23, 14, 35))
    for settled in (first, second):
        latest = settled.history.order_by("-history_id").first()
        assert (latest.state, latest.history_user, latest.history_date) == ("resolved", ni, at(23, 14, 35))
        assert latest.history_change_reason.startswith("Settled — resolved by")
        [event] = EngineEvent.objects.filter(escalation=settled, kind="escalation_resolved")
        assert (event.actor, event.at) == (ni, at(23, 14, 35))
        assert event.message.startswith("Settled — resolved by")


def test_resolving_the_top_level_settles_the_levels_below(three_levels, people):
    first, second, third = three_levels
    ni = people.nominated_individual
    services.record_action(third, by=ni, action_taken="Asked the Quality Director.", now=at(23, 14, 30))
    services.resolve(third, by=ni, note="Handled at board level.", now=at(23, 14, 35))
    first, second = fresh(first, second)
    assert first.settled and second.settled
    assert first.state_words.startswith(f"Settled — resolved by {ni} at level 3 (Nominated Individual)")


def test_recording_the_step_settles_every_level_nobody_took_up(three_levels, people, client, sign_in):
    officer = people.governance_officer
    services.record_step(
        step(three_levels[0].step_run.chain_run, "A2"), by=officer, values=A2_VALUES, check_done=CHECK_DONE
    )
    for settled in fresh(*three_levels):
        assert (settled.state, settled.settled, settled.resolved_by) == ("resolved", True, officer)
        assert settled.state_words == (
            f"Settled — the step was recorded on Mon 23 Nov 2026, 14:25 by {officer}"
        )
    assert a2_yours_to_do(client, sign_in, people.nominated_individual) == []
    assert a2_yours_to_do(client, sign_in, people.quality_director) == []
    page = client.get(reverse("escalation:detail", args=[three_levels[2].pk])).text
    assert "Settled — the step was recorded on Mon 23 Nov 2026, 14:25" in page
    assert ">Acknowledge</button>" not in page


def test_recording_the_step_leaves_an_acknowledged_level_to_its_owner(chain_a, people):
    [first] = a2(engine.tick(at(23, 10, 19)).overdue)
    [second] = a2(engine.tick(at(23, 12, 20)).follow_ups)
    services.acknowledge(first, by=people.quality_director, now=at(23, 12, 30))  # late, but answered
    services.record_step(
        step(chain_a, "A2"),
        by=people.governance_officer,
        values=A2_VALUES,
        now=at(23, 12, 40),
        check_done=CHECK_DONE,
    )
    first, second = fresh(first, second)
    assert second.settled and second.state == "resolved"
    assert (first.state, first.settled) == ("acknowledged", False), "its owner resolves it"
    services.record_action(first, by=people.quality_director, action_taken="Chased.", now=at(23, 12, 45))
    services.resolve(first, by=people.quality_director, now=at(23, 12, 50))  # no note: step recorded
    assert Escalation.objects.get(pk=first.pk).state == "resolved"


def test_a_settled_escalation_does_not_climb_past_the_next_deadline(chain_a, people, time_machine):
    time_machine.move_to(at(23, 12, 30), tick=False)
    [first] = a2(engine.tick(at(23, 10, 19)).overdue)
    [second] = a2(engine.tick(at(23, 12, 20)).follow_ups)  # Nominated Individual next at 14:20
    services.record_step(
        step(chain_a, "A2"), by=people.governance_officer, values=A2_VALUES, check_done=CHECK_DONE
    )
    for now in (at(23, 14, 21), at(24, 17), at(30, 12)):
        time_machine.move_to(now, tick=False)
        assert a2(engine.tick(now).follow_ups) == []
    assert Escalation.objects.filter(step_run__code="A2").count() == 2


def test_settling_twice_changes_nothing_twice(three_levels, people):
    first, _, _ = three_levels
    words = "Settled — the step was recorded"
    by = people.governance_officer
    assert len(settling.settle_recorded_step(first.step_run, by=by, now=at(23, 14, 30))) == 3
    counts = (EngineEvent.objects.count(), Escalation.history.count())
    assert settling.settle_recorded_step(first.step_run, by=by, now=at(23, 15)) == []
    assert (EngineEvent.objects.count(), Escalation.history.count()) == counts
    assert all(e.resolved_at == at(23, 14, 30) and e.state_words.startswith(words) for e in fresh(first))


def test_a_thread_is_settled_with_one_update(three_levels, people):
    with CaptureQueriesContext(connection) as queries:
        settled = settling.settle_recorded_step(
            three_levels[0].step_run, by=people.governance_officer, now=at(23, 14, 30)
        )
    assert len(settled) == 3
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and len(queries.captured_queries) <= 4


def test_a_breach_recorded_again_still_breaching_waits_for_its_action(chain_a, people):
    """Recorded again within threshold, it would be settled (test_superseded_breach_settles.py)."""
    values = {**A2_VALUES, "pct_received_within_4h": 75}
    record = services.record_step(
        step(chain_a, "A2"),
        by=people.governance_officer,
        values=values,
        now=at(23, 10),
        check_done=CHECK_DONE,
    )
    [follow_up] = [e for e in engine.tick(at(23, 12, 5)).follow_ups if e.step_run.code == "A2"]
    officer = people.governance_officer
    still_breaching = {**values, "pct_received_within_4h": 80}
    services.record_step(
        step(chain_a, "A2"), by=officer, values=still_breaching, now=at(23, 12, 10), check_done=CHECK_DONE
    )
    breach, follow_up = fresh(record.escalation, follow_up)
    assert breach.state == follow_up.state == "raised", "a breach waits for its action"
    services.record_action(breach, by=people.quality_director, action_taken="Re-sent.", now=at(23, 12, 15))
    services.resolve(breach, by=people.quality_director, now=at(23, 12, 20))
    assert Escalation.objects.get(pk=follow_up.pk).settled
