"""A check of a shift's work opens when that shift starts, and the check that the change has lasted
(B5, over "the previous 3 monitored shifts") once those shifts have run: never before there is
anything to check. The step page, the lists and the refusal on record all say the same time.

Learning live at Elm House from 09:00 on Monday 23 November 2026 (early 07:00–15:00, late 14:00–22:00,
night 21:30–07:30): B1's checks fall due 4 hours into each shift, B5 at 09:36 on Thursday 26th, the
third working day after."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from adoption import chain
from escalation import services as engine
from providers.choices import Role
from tests.factories import CHECK_DONE

from .conftest import at, deploy
from .test_checks_not_open_yet import tag_after_link

pytestmark = pytest.mark.django_db

B1_FIGURES = {
    "record_completion_pct": 90,
    "record_completion_pct__baseline": 80,  # the deployment's baseline
    "responses_over_10_min": 0,
    "repeat_errors_3_interactions": 0,
}
B5_FIGURES = {"pct_tasks_within_target": 95, "adoption_failures_3_shifts": 0, "resident_impact_events": 0}


@pytest.fixture
def deployment(match, people):
    return deploy(match, people.registered_manager, deployed_at=at(23, 9))


def check(deployment, code: str, occurrence: int = 1):
    return chain.run_for(deployment).step_runs.get(code=code, occurrence=occurrence)


def test_a_night_shift_check_opens_when_the_night_shift_starts(deployment, people):
    late, night = check(deployment, "B1"), check(deployment, "B1", 2)
    assert (late.due_at, night.due_at) == (at(23, 18), at(24, 1, 30))
    # The late shift's check fell due at 18:00, but the night shift starts at 21:30.
    assert night.display_state(at(23, 21, 29)) == "not_open"
    assert night.state_words("not_open") == "Not open yet — opens Mon 23 Nov 2026, 21:30"
    with pytest.raises(ValidationError, match="21:30"):
        engine.record_step(
            night,
            by=people.service_improvement_lead,
            values=B1_FIGURES,
            now=at(23, 19),
            check_done=CHECK_DONE,
        )
    assert night.display_state(at(23, 21, 30)) == "due"
    engine.record_step(
        night, by=people.service_improvement_lead, values=B1_FIGURES, now=at(23, 22), check_done=CHECK_DONE
    )
    assert night.is_recorded


def test_each_shifts_check_opens_at_its_shift_start(deployment):
    """The first check too: learning live at 09:00 does not open the late shift's check before 14:00."""
    starts = [check(deployment, "B1", n).opens_at for n in (1, 2, 3, 4)]
    assert starts == [at(23, 14), at(23, 21, 30), at(24, 7), at(24, 14)]
    # The late shift's closing check (before 20:18) opens with the late shift, not at yesterday's 20:18.
    assert check(deployment, "B4", 2).opens_at == at(24, 14)


def test_the_step_page_and_the_dashboard_say_when_the_shift_starts(
    client, sign_in, deployment, people, time_machine
):
    time_machine.move_to(at(23, 19), tick=False)
    night = check(deployment, "B1", 2)
    sign_in(people.service_improvement_lead)
    page = client.get(night.get_absolute_url()).text
    assert "This check opens on Mon 23 Nov 2026 at 21:30" in page
    dashboard = client.get(reverse("dashboard", args=[Role.SERVICE_IMPROVEMENT_LEAD])).text
    assert tag_after_link(dashboard, night, "</li>") == (
        "grey",
        "Not open yet — opens Mon 23 Nov 2026, 21:30",
    )


def test_the_change_has_lasted_cannot_be_confirmed_before_the_three_shifts_it_judges_have_run(
    deployment, people
):
    """B5 at 09:36 on Thursday judges the 3 shifts before it: Wednesday's early and late shifts and the
    night shift ending at 07:30 on Thursday. It opens when that night shift ends."""
    lasted = check(deployment, "B5")
    assert lasted.due_at == at(26, 9, 36)
    assert lasted.opens_at == at(26, 7, 30)
    assert lasted.display_state(at(23, 10)) == "not_open"
    assert lasted.state_words("not_open") == "Not open yet — opens Thu 26 Nov 2026, 07:30"
    for too_early in (at(23, 10), at(26, 7, 29)):
        with pytest.raises(ValidationError, match="07:30"):
            engine.record_step(
                lasted, by=people.registered_manager, values=B5_FIGURES, now=too_early, check_done=CHECK_DONE
            )
    assert not lasted.is_recorded
    engine.record_step(
        lasted, by=people.registered_manager, values=B5_FIGURES, now=at(26, 7, 31), check_done=CHECK_DONE
    )
    assert lasted.is_recorded


def test_the_deployment_timeline_says_when_the_change_can_be_confirmed(
    client, deployment, people, time_machine
):
    time_machine.move_to(at(23, 10), tick=False)
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    assert tag_after_link(page, check(deployment, "B5")) == (
        "grey",
        "Not open yet — opens Thu 26 Nov 2026, 07:30",
    )
