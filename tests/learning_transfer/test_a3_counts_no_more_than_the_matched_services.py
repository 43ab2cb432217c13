"""Tester 17 (M3): A3 took "7 matched services without a confirmed implementation lead" for a trigger with
3 matched services (typed over the system's 3, with a reason), and mailed the Provider Director "Launch
immediate provider intervention". A3's counts are of the learning's matched services: each is at most
their number, whichever way it is recorded, and a figure over it is refused on its field."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from escalation.models import Escalation, StepRecord
from escalation.recording import record_step
from learning_transfer import chain
from learning_transfer.services import issue_notices
from tests.factories import CHECK_DONE

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
AFTER_A3 = CONFIRMED + timedelta(hours=5)


@pytest.fixture
def a3(log_falls_trigger, quality_director):
    trigger = log_falls_trigger()  # four matched services: Ash Grove, Beech Lodge, Cedar Court, Dove Cottage
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    return chain.step_run(trigger, "A3")


def values(**typed):
    return {"services_without_lead": 4, "comparable_risk_unresolved_24h": 0, "briefing_incomplete": 4} | typed


def test_more_than_the_matched_services_is_refused_with_what_was_typed(a3, operations_director):
    with pytest.raises(ValidationError) as refused:
        record_step(
            a3,
            by=operations_director,
            values=values(services_without_lead=7),
            check_done=CHECK_DONE,
            reasons={"services_without_lead": "Counted by phone."},
            now=AFTER_A3,
        )
    assert refused.value.message_dict["services_without_lead"] == [
        "Matched services without a confirmed implementation lead cannot be more than the learning's "
        "4 matched services: 7 was entered."
    ]
    assert not StepRecord.objects.filter(step_run=a3).exists()
    assert not Escalation.objects.filter(step_run=a3).exists()


def test_up_to_the_matched_services_is_recorded(a3, operations_director):
    record = record_step(a3, by=operations_director, values=values(), check_done=CHECK_DONE, now=AFTER_A3)
    assert record.values["services_without_lead"] == 4


def test_a2_counts_no_more_sampled_notices_than_were_issued(a3, governance_officer):
    """Tester 18 (M4): A2 took "10 sampled notices with a named owner" when 6 were issued (its only
    limit was the sample size, 12)."""
    a2 = chain.step_run(a3.chain_run.subject, "A2")
    with pytest.raises(ValidationError) as refused:
        record_step(
            a2,
            by=governance_officer,
            values={
                "pct_received_within_4h": 100,
                "sampled_with_named_owner": 5,
                "sampled_due_within_72h": 4,
            },
            check_done=CHECK_DONE,
            reasons={"sampled_with_named_owner": "Counted by hand.", "sampled_due_within_72h": "By hand."},
            now=AFTER_A3,
        )
    assert refused.value.message_dict["sampled_with_named_owner"] == [
        "Sampled learning notices with a named service owner cannot be more than the 4 notices issued to "
        "sample: 5 was entered."
    ]
    assert "sampled_due_within_72h" not in refused.value.message_dict
