"""An update's checks count back from its issue date: one issuing tomorrow has a preparation window
already behind it, so every check would start overdue and be escalated at the engine's next check.
Planning one brings the form back, with nothing saved, naming the checks that would start overdue, when
each was due and who would be told; it is planned only once the person ticks "Plan it anyway". An update
planned with its full preparation window ahead is planned at once, with no warning."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from escalation.late_start import StartsOverdue
from escalation.models import ChainRun, StepRun
from reporting_control import services
from reporting_control.choices import Audience
from reporting_control.models import ReportingUpdate
from tests.page_structure import text_inside_main

from .conftest import LONDON, next_issue_at

pytestmark = pytest.mark.django_db
# Sunday 6 December 2026, 16:32: an update to be issued on Monday morning is planned only now.
SUNDAY = datetime(2026, 12, 6, 16, 32, tzinfo=LONDON)
TOMORROW = "2026-12-07T10:00"
PLAN_ANYWAY = "Plan it anyway: I understand these checks start overdue"


def form(trigger, issue_at: str, **more) -> dict:
    return {
        "title": "Tomorrow update",
        "audience": "regulator",
        "issue_at": issue_at,
        "triggers": [trigger.pk],
        **more,
    }


@time_machine.travel(SUNDAY, tick=False)
def test_an_update_issuing_tomorrow_comes_back_with_a_warning_and_nothing_saved(
    client, sign_in, compliance_manager, operations_director, trigger
):
    sign_in(compliance_manager)
    response = client.post(reverse("reporting_control:update_create"), form(trigger, TOMORROW))

    assert response.status_code == 200
    assert not ReportingUpdate.objects.exists() and not ChainRun.objects.filter(chain__code="C").exists()
    text = text_inside_main(response.text)
    assert "5 steps would start overdue" in text
    c1 = "Check every claim has service evidence C1 was due Mon 30 Nov 2026"
    assert (
        c1 in text
        and f"the Operations Director ({operations_director.get_full_name()}) would be told" in text
    )
    # The day's figures check, due each preparation day, is named once with the days it was due.
    assert (
        "Check the figures behind each claim C2 was due 5 times, "
        "from Mon 30 Nov 2026, 12:12 to Fri 4 Dec 2026, 12:12" in text
    )
    for step in (
        "Check complaints and safeguarding alerts C3",
        "Challenge the claims before issue C4",
        "Sign off the update for issue C5",
    ):
        assert f"{step} was due" in text
    assert PLAN_ANYWAY in text
    assert "Tick “Plan it anyway” to plan this update with its checks overdue" in text
    # The error names its field, and everything typed is kept.
    assert 'href="#id_plan_late"' in response.text
    assert 'value="Tomorrow update"' in response.text
    assert f'value="{TOMORROW}"' in response.text


@time_machine.travel(SUNDAY, tick=False)
def test_ticking_plan_it_anyway_plans_it_with_its_checks_overdue(
    client, sign_in, compliance_manager, trigger
):
    sign_in(compliance_manager)
    response = client.post(
        reverse("reporting_control:update_create"), form(trigger, TOMORROW, plan_late="on")
    )

    update = ReportingUpdate.objects.get()
    assert response.status_code == 302 and response.url == update.get_absolute_url()
    # The engine's behaviour is kept: the checks start overdue, as the person was told they would.
    first_c2 = StepRun.objects.filter(chain_run__object_id=update.pk, code="C2").order_by("due_at").first()
    assert first_c2.due_at == datetime(2026, 11, 30, 12, 12, tzinfo=LONDON)


def test_an_update_with_its_full_preparation_window_is_planned_without_a_warning(
    client, sign_in, compliance_manager, trigger
):
    sign_in(compliance_manager)
    issue_at = next_issue_at().strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("reporting_control:update_create"), form(trigger, issue_at), follow=True)

    assert ReportingUpdate.objects.count() == 1
    assert PLAN_ANYWAY not in response.text and "would start overdue" not in response.text


def test_the_action_refuses_a_late_start_unless_told_to_plan_it_anyway(provider, compliance_manager):
    fields = {
        "by": compliance_manager,
        "provider": provider,
        "title": "Tomorrow update",
        "audience": Audience.REGULATOR,
        "issue_at": datetime(2026, 12, 7, 10, 0, tzinfo=LONDON),
        "now": SUNDAY,
    }
    with pytest.raises(StartsOverdue) as refused:
        services.plan_update(**fields)
    assert [step.code for step in refused.value.steps] == ["C1", "C2", "C3", "C4", "C5"]
    assert "plan_late" in refused.value.message_dict
    assert not ReportingUpdate.objects.exists()

    update = services.plan_update(**fields, plan_late=True)
    assert ReportingUpdate.objects.get() == update
