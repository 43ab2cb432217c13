"""A step record's notes and an escalation's action have a length limit, and a count a plausible upper
bound: a 20,000-character note or a 20-digit error count is a slip, refused on its field with what was
typed kept, not stored."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation import services
from escalation.models import Escalation, StepRecord
from providers.models import REASON_MAX_LENGTH
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db

A2_OK = {"pct_received_within_4h": "100", "sampled_with_named_owner": "12", "sampled_due_within_72h": "12"}
LONG = ("Checked every notice against the log. " * 20).strip()  # 759 characters


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(23, 10), tick=False)


def test_a_count_far_beyond_any_real_one_is_refused_on_its_field(chain_a, people):
    a3 = step(chain_a, "A3")
    values = {"services_without_lead": 99999999999999999999, "comparable_risk_unresolved_24h": 0}
    with pytest.raises(ValidationError) as refused:
        services.record_step(
            a3,
            by=people.operations_director,
            values=values | {"briefing_incomplete": 0},
            check_done=CHECK_DONE,
        )
    [message] = refused.value.message_dict["services_without_lead"]
    assert message.startswith(
        "Matched services without a confirmed implementation lead must be a whole number"
    )
    assert "10,000" in message
    assert not StepRecord.objects.exists()


def test_a_sampled_count_cannot_exceed_its_sample(chain_a, people):
    values = A2_OK | {"sampled_with_named_owner": "13"}
    with pytest.raises(ValidationError) as refused:
        services.record_step(
            step(chain_a, "A2"), by=people.governance_officer, values=values, check_done=CHECK_DONE
        )
    assert "from 0 to 12" in refused.value.message_dict["sampled_with_named_owner"][0]


def test_a_long_note_is_refused_naming_the_field_and_kept_on_the_form(client, sign_in, chain_a, people, now):
    sign_in(people.governance_officer)
    response = client.post(
        reverse("escalation:step_run", args=[step(chain_a, "A2").pk]),
        A2_OK | {"notes": LONG, "check_done": LONG},
    )
    page = response.text
    assert f"Shorten the notes to {REASON_MAX_LENGTH} characters or fewer (it has {len(LONG)})." in page
    assert f"Shorten the check done to {REASON_MAX_LENGTH} characters or fewer" in page
    assert LONG in page  # kept, to shorten
    assert not StepRecord.objects.exists()


def test_a_long_action_taken_is_refused_and_kept(client, sign_in, chain_a, people, now):
    values = {"pct_received_within_4h": 75, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
    record = services.record_step(
        step(chain_a, "A2"),
        by=people.governance_officer,
        values=values,
        now=at(23, 10),
        check_done=CHECK_DONE,
    )
    sign_in(people.quality_director)
    page = client.post(
        reverse("escalation:record_action", args=[record.escalation.pk]), {"action_taken": LONG}
    ).text
    refusal = f"Shorten the action taken to {REASON_MAX_LENGTH} characters or fewer (it has {len(LONG)})."
    assert refusal in page
    assert LONG in page
    assert Escalation.objects.get().action_taken == ""
    with pytest.raises(ValidationError, match="Shorten the action taken"):
        services.record_action(record.escalation, by=people.quality_director, action_taken=LONG)
