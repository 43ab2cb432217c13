"""A step recorded again within threshold settles the breach escalation the earlier record raised.

The tester's C5 sign-off breached (4 lines lacked evidence: "Maintain the issue hold"), was recorded
again within threshold and the update released, yet its escalation stayed "Raised — to be acknowledged"
and said "Everything recorded for this step by …" of the new record, not the one that raised it. As
with an overdue step (settling.py), the levels nobody took up are settled with words saying why, by
whom and when; one a person took up stays theirs to resolve.
"""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import engine, services
from escalation.models import Escalation
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db

A2_OK = {"pct_received_within_4h": 100, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
A2_BREACH = {**A2_OK, "pct_received_within_4h": 75}


@pytest.fixture
def breached_a2(chain_a, people, time_machine):
    """A2 recorded at 10:00 with 75 % received: the Quality Director is told of the breach."""
    time_machine.move_to(at(23, 10), tick=False)
    record = services.record_step(
        step(chain_a, "A2"), by=people.governance_officer, values=A2_BREACH, check_done=CHECK_DONE
    )
    return record.escalation


def record_again(chain_a, people, time_machine, values, minute=30):
    time_machine.move_to(at(23, 10, minute), tick=False)
    return services.record_step(
        step(chain_a, "A2"), by=people.governance_officer, values=values, check_done="All 12 checked again."
    )


def test_recorded_again_within_threshold_settles_the_breach(breached_a2, chain_a, people, time_machine):
    record_again(chain_a, people, time_machine, A2_OK)

    breached_a2.refresh_from_db()
    assert (breached_a2.state, breached_a2.settled) == ("resolved", True)
    assert breached_a2.resolved_by == people.governance_officer
    assert breached_a2.resolved_at == at(23, 10, 30)
    assert breached_a2.resolution_note == (
        f"Settled — recorded again within threshold on Mon 23 Nov 2026, 10:30 by {people.governance_officer}"
    )
    assert breached_a2.events.filter(kind="escalation_resolved").count() == 1


def test_every_level_nobody_took_up_is_settled(breached_a2, chain_a, people, time_machine):
    engine.tick(at(23, 12, 5))  # the Quality Director missed her window: the Provider Director is told
    assert Escalation.objects.filter(root=breached_a2, state="raised").count() == 1

    record_again(chain_a, people, time_machine, A2_OK, minute=50)

    assert not Escalation.objects.filter(step_run__code="A2").exclude(state="resolved").exists()


def test_one_acknowledged_stays_for_its_holder(breached_a2, chain_a, people, time_machine):
    services.acknowledge(breached_a2, by=people.quality_director, now=at(23, 10, 15))
    record_again(chain_a, people, time_machine, A2_OK)
    breached_a2.refresh_from_db()
    assert breached_a2.state == "acknowledged"


def test_recorded_again_still_breaching_settles_nothing(breached_a2, chain_a, people, time_machine):
    record_again(chain_a, people, time_machine, {**A2_BREACH, "pct_received_within_4h": 80})
    breached_a2.refresh_from_db()
    assert breached_a2.state == "raised"


def test_the_page_shows_the_record_that_raised_it(
    breached_a2, chain_a, people, time_machine, client, sign_in
):
    record_again(chain_a, people, time_machine, A2_OK)
    sign_in(people.quality_director)
    response = client.get(reverse("escalation:detail", args=[breached_a2.pk]))

    assert response.context["record"].recorded_at == at(23, 10)
    page = " ".join(strip_tags(response.text).split())
    assert f"What {people.governance_officer} recorded on Mon 23 Nov 2026 at 10:00, which raised it" in page
    again = f"Recorded again by {people.governance_officer} on Mon 23 Nov 2026 at 10:30: within threshold"
    assert again in page


def test_a_settled_breach_does_not_read_as_resolved_by_whoever_recorded_it_again(
    breached_a2, chain_a, people, time_machine, client, sign_in
):
    """Found: the page read "Acknowledged: Not yet", "Resolved: Zara Foster, …" and still "Only the
    Operations Director … can acknowledge this escalation": as if the person whose figure raised it had
    resolved their manager's escalation. It says the breach was settled by the new record, nobody having
    taken it up, and asks nobody to act on it."""
    record_again(chain_a, people, time_machine, A2_OK)
    sign_in(people.governance_officer)
    page = " ".join(strip_tags(client.get(reverse("escalation:detail", args=[breached_a2.pk])).text).split())
    done = page.split("What was done", 1)[1]
    assert "AcknowledgedNobody: it was settled before anyone took it up" in done
    assert (
        f"ResolvedSettled — recorded again within threshold on Mon 23 Nov 2026, 10:30 by "
        f"{people.governance_officer}. It was raised to the Quality Director" in done
    )
    assert "can acknowledge this escalation" not in page
