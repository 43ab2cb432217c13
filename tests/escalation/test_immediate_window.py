"""An escalation the guidance wants "immediately" must be acknowledged within an hour, day or night:
every page and e-mail says both ("immediately — within 1 hour"), never a deadline labelled
"(immediately)"; other windows say "within N working hours" the same way everywhere."""

import pytest
from django.core import mail
from django.urls import reverse

from escalation import engine, notifications, services
from escalation.models import describe_window
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db

IMMEDIATE = "immediately — within 1 hour"
B4_BREACH = {"unresolved_tasks_over_2h": 3, "resident_impact_concerns": 2, "repeat_prompts_same_group": 0}


def test_a_window_reads_the_same_in_words_everywhere():
    assert describe_window(0) == IMMEDIATE
    assert describe_window(1) == "within 1 working hour"
    assert describe_window("2.5") == "within 2.5 working hours"


@pytest.fixture
def chain_b(chains, provider, elm_house, shifts, subject, time_machine):
    time_machine.move_to(at(23, 20), tick=False)
    return services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )


@pytest.fixture
def b4_breach(chain_b, people):
    """The late shift's B4 at 20:00 on Monday: 3 tasks unresolved, 2 concerns: the on-call manager is
    told at once and must acknowledge by 21:00."""
    record = services.record_step(
        step(chain_b, "B4"), by=people.senior_carer, values=B4_BREACH, now=at(23, 20), check_done=CHECK_DONE
    )
    assert record.escalation.acknowledge_by == at(23, 21)
    return record.escalation


def test_the_pages_say_immediately_and_the_hour_together(client, sign_in, chain_b, b4_breach, people):
    sign_in(people.on_call_manager)
    detail = client.get(b4_breach.get_absolute_url()).text
    assert f"Mon 23 Nov 2026, 21:00 ({IMMEDIATE})" in detail
    step_page = client.get(step(chain_b, "B4").get_absolute_url()).text
    assert f"On-call Manager, {IMMEDIATE}" in step_page
    sign_in(people.nominated_individual)
    case = client.get(reverse("escalation:chain_run", args=[chain_b.pk])).text
    assert f"escalates to On-call Manager ({IMMEDIATE})" in case
    sign_in(people.administrator)
    chains = client.get(reverse("escalation:chains")).text
    assert f"Escalate to the On-call Manager ({IMMEDIATE})" in chains
    for page in (detail, step_page, case, chains):
        assert "(immediately)" not in page and ", immediately<" not in page


def test_the_e_mail_says_immediately_and_the_hour_together(b4_breach):
    assert notifications.send_pending(at(23, 20, 1)) == 1
    [message] = mail.outbox
    assert f"Acknowledge by: Mon 23 Nov 2026, 21:00 ({IMMEDIATE})" in message.body


def test_a_missed_immediate_escalation_climbs_saying_the_hour_it_missed(b4_breach):
    follow_ups = engine.tick(at(23, 21, 1)).follow_ups
    [follow_up] = [e for e in follow_ups if e.parent_id == b4_breach.pk]
    # After the breach it follows, as it happened.
    assert follow_up.reason.startswith(b4_breach.reason)
    assert follow_up.reason.endswith(
        "Not acknowledged by the On-call Manager within 1 hour (by Mon 23 Nov 2026, 21:00)."
    )
