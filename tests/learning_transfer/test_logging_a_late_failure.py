"""A failure confirmed long ago starts its case with steps already past their deadlines, which the
engine escalates at its next check. Logging one brings the form back, with nothing saved, naming the
steps that would start overdue, when each was due and who would be told; it is saved only once the
quality director ticks "Log it anyway". A failure recent enough is logged at once, with no warning."""

from datetime import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from escalation.models import ChainRun, StepRun
from learning_transfer.models import LearningTrigger
from learning_transfer.services import log_trigger
from learning_transfer.services.late_start import StartsOverdue
from providers.choices import RiskTag, Role
from tests.factories import person_with_role
from tests.page_structure import text_inside_main

from .conftest import LONDON, trigger_form

pytestmark = pytest.mark.django_db
# Sunday 6 December 2026, 09:40: a failure confirmed on Friday 23 October is logged only now.
TODAY = datetime(2026, 12, 6, 9, 40, tzinfo=LONDON)
LOG_ANYWAY = "Log it anyway: I understand these steps start overdue"
# Confirmed Fri 23 Oct 16:30: A1 falls due two working hours later, after the clock change.
WEEKS_AGO = "2026-10-23T16:30"


@pytest.fixture
def told(provider, quality_director):
    """The people each step's escalation goes to: its target role's holders."""
    return {
        "operations": person_with_role(
            Role.OPERATIONS_DIRECTOR, provider=provider, first_name="Ravi", last_name="Anand"
        ),
        "provider": person_with_role(
            Role.PROVIDER_DIRECTOR, provider=provider, first_name="Dawn", last_name="Hughes"
        ),
        "compliance": person_with_role(
            Role.COMPLIANCE_MANAGER, provider=provider, first_name="Carl", last_name="Moss"
        ),
        "quality": quality_director,
    }


def form(falls_provider, confirmed_at: str, **more) -> dict:
    return trigger_form(
        falls_provider,
        title="Unwitnessed fall at night",
        what_happened="Found on the floor of room 12 at 03:40.",
        confirmed_at=confirmed_at,
        learning_statement="Night checks follow the falls-risk plan.",
        **more,
    )


def test_a_failure_confirmed_weeks_ago_comes_back_with_a_warning_and_nothing_saved(
    client, sign_in, falls_provider, quality_director, told
):
    sign_in(quality_director)
    response = client.post("/learning/triggers/new/", form(falls_provider, WEEKS_AGO))

    assert response.status_code == 200
    assert not LearningTrigger.objects.exists() and not ChainRun.objects.exists()
    text = text_inside_main(response.text)
    assert "5 steps would start overdue" in text
    quality = quality_director.get_full_name()
    for step, due, who in (
        ("Find comparable services A1", "Mon 26 Oct 2026, 10:30", "Operations Director (Ravi Anand)"),
        (
            "Check every service received the learning A2",
            "Tue 27 Oct 2026, 10:18",
            f"Quality Director ({quality})",
        ),
        (
            "Confirm a lead at every matched service A3",
            "Tue 27 Oct 2026, 13:14",
            "Provider Director (Dawn Hughes)",
        ),
        (
            "Check each region put the learning in place A4",
            "Tue 27 Oct 2026, 16:06",
            "Compliance Manager (Carl Moss)",
        ),
        (
            "Assure the board the learning reached everyone A5",
            "Wed 28 Oct 2026, 15:10",
            "Provider Director (Dawn Hughes)",
        ),
    ):
        assert f"{step} was due {due}: the {who} would be told." in text
    assert LOG_ANYWAY in text
    assert "Tick “Log it anyway” to log this failure with its steps overdue" in text
    # Everything typed is kept.
    assert 'value="Unwitnessed fall at night"' in response.text
    assert "Found on the floor of room 12 at 03:40." in response.text
    assert f'value="{WEEKS_AGO}"' in response.text


@time_machine.travel(TODAY, tick=False)
def test_ticking_log_it_anyway_logs_it_with_the_deadlines_the_warning_named(
    client, sign_in, falls_provider, quality_director, told
):
    sign_in(quality_director)
    response = client.post("/learning/triggers/new/", form(falls_provider, WEEKS_AGO, log_late="on"))

    trigger = LearningTrigger.objects.get()
    assert response.status_code == 302 and response.url == f"/learning/triggers/{trigger.pk}/"
    a1 = StepRun.objects.get(chain_run__object_id=trigger.pk, code="A1")
    assert a1.due_at == datetime(2026, 10, 26, 10, 30, tzinfo=LONDON)


@time_machine.travel(TODAY, tick=False)
def test_a_failure_recent_enough_is_logged_at_once_without_a_warning(
    client, sign_in, falls_provider, quality_director
):
    sign_in(quality_director)
    # Confirmed Friday 4 December at 16:30: A1 is due on Monday at 10:30, still ahead.
    response = client.post("/learning/triggers/new/", form(falls_provider, "2026-12-04T16:30"), follow=True)

    assert LearningTrigger.objects.count() == 1
    assert LOG_ANYWAY not in response.text and "would start overdue" not in response.text


def test_the_action_refuses_a_late_start_unless_told_to_log_it_anyway(falls_provider, quality_director):
    """Confirmed Thursday 3 December at 10:00: by Sunday A1 to A4 are past due, A5 (Monday) is not."""
    fields = {
        "by": quality_director,
        "source_service": falls_provider["elm"],
        "title": "Unwitnessed fall at night",
        "theme": "fall",
        "risk_tags": [RiskTag.FALLS],
        "what_happened": "A resident fell.",
        "confirmed_at": datetime(2026, 12, 3, 10, 0, tzinfo=LONDON),
        "now": TODAY,
    }
    with pytest.raises(ValidationError) as refused:
        log_trigger(**fields, log_late=False)  # asked, and not told to log it anyway
    assert [step.code for step in refused.value.steps] == ["A1", "A2", "A3", "A4"]
    assert "log_late" in refused.value.message_dict
    assert not LearningTrigger.objects.exists()

    trigger = log_trigger(**fields, log_late=True)
    assert LearningTrigger.objects.get() == trigger


def test_code_that_does_not_say_to_log_it_anyway_is_warned_too(falls_provider, quality_director):
    """Code that logs a failure without saying "log it anyway" (a new caller that forgot) is refused
    like the form: the steps would otherwise start overdue and be escalated without anyone being told."""
    with pytest.raises(StartsOverdue) as refused:
        log_trigger(
            by=quality_director,
            source_service=falls_provider["elm"],
            title="Unwitnessed fall at night",
            theme="fall",
            risk_tags=[RiskTag.FALLS],
            what_happened="A resident fell.",
            confirmed_at=datetime(2026, 10, 23, 16, 30, tzinfo=LONDON),
            now=TODAY,
        )
    assert [step.code for step in refused.value.steps] == ["A1", "A2", "A3", "A4", "A5"]
    assert not LearningTrigger.objects.exists() and not ChainRun.objects.exists()
