"""A provider tunes A2's receipt window from 4 to 6 hours, with a reason: its new cases count receipt
within 6 hours, every label says "6 hours", the change is kept in the history, and a window of 0
hours is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation import computations
from escalation.models import ProviderStepSetting
from learning_transfer import chain
from learning_transfer.models import LearningNotice
from learning_transfer.services import acknowledge_notice, issue_notices

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
SIX_HOURS = {"pct_received_within_4h": {"window_hours": 6}}


def acknowledged_after(trigger, managers, falls_provider, hours: float) -> None:
    """Ash Grove acknowledges `hours` after the issue; the other services never do."""
    notice = LearningNotice.objects.get(
        matched_service__trigger=trigger, matched_service__service=falls_provider["ash"], superseded_at=None
    )
    acknowledge_notice(notice, by=managers["ash"], now=ISSUED + timedelta(hours=hours))


def test_a_tuned_window_counts_receipt_within_six_hours_and_says_so(
    tune, log_falls_trigger, managers, falls_provider, quality_director
):
    tune("A2", SIX_HOURS)
    trigger = log_falls_trigger()  # the case starts after the tuning, so it runs with 6 hours
    issue_notices(trigger, by=quality_director, now=ISSUED)
    acknowledged_after(trigger, managers, falls_provider, 5)
    a2 = chain.step_run(trigger, "A2")
    (measure,) = [m for m in a2.measures if m["name"] == "pct_received_within_4h"]
    assert measure["label"] == "Matched services receiving the issued learning notice within 6 hours"
    figures = computations.compute(a2, ISSUED + timedelta(hours=7))
    assert figures.values["pct_received_within_4h"] == 25.0  # 5 hours is in time with 6; not with 4
    assert "within 6 hours" in a2.threshold_text


def test_the_default_window_still_counts_four_hours(
    log_falls_trigger, managers, falls_provider, quality_director
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    acknowledged_after(trigger, managers, falls_provider, 5)
    a2 = chain.step_run(trigger, "A2")
    assert computations.compute(a2, ISSUED + timedelta(hours=7)).values["pct_received_within_4h"] == 0.0
    assert "within 4 hours" in a2.threshold_text


def test_the_trigger_page_reads_the_cases_window(
    client, sign_in, provider, tune, log_falls_trigger, managers, falls_provider, quality_director
):
    tune("A2", SIX_HOURS)
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
    assert "Received within 6 hours" in page and "within 4 hours" not in page


@pytest.mark.parametrize("window", [0, -1, 100_000])
def test_a_window_out_of_range_is_refused_with_a_clear_message(tune, window):
    with pytest.raises(ValidationError) as refused:
        tune("A2", {"pct_received_within_4h": {"window_hours": window}})
    assert refused.value.message_dict["pct_received_within_4h__window_hours"] == [
        f"Receipt window must be a whole number of hours from 1 to 168, not {window}."
    ]
    assert not ProviderStepSetting.objects.exists()


def test_a_parameter_of_no_measure_is_refused(tune):
    with pytest.raises(ValidationError, match="has no computed measure called 'sampled_with_owner'"):
        tune("A2", {"sampled_with_owner": {"sample_size": 6}})
    with pytest.raises(ValidationError, match="has no parameter called 'hours'"):
        tune("A2", {"pct_received_within_4h": {"hours": 6}})


def test_the_tuning_page_changes_the_window_with_its_history_and_refuses_zero(
    client, sign_in, provider, administrator
):
    url = reverse("escalation:tune_step", kwargs={"code": "A2"}) + f"?provider={provider.pk}"
    sign_in(administrator)
    page = client.get(url).text
    assert "Receipt window (hours)" in page
    form = {
        "threshold_0": "100",
        "response_working_hours": "2",
        "pct_received_within_4h__window_hours": "0",
        "sampled_with_named_owner__sample_size": "12",
        "sampled_due_within_72h__sample_size": "12",
        "sampled_due_within_72h__due_within_hours": "72",
        "reason": "Six hours covers the night post.",
    }
    refused = client.post(url, form).text
    assert "Receipt window must be a whole number of hours from 1 to 168, not 0." in refused
    client.post(url, {**form, "pct_received_within_4h__window_hours": "6"})
    setting = ProviderStepSetting.objects.get(provider=provider, step__code="A2")
    assert setting.measure_parameters["pct_received_within_4h"] == {"window_hours": 6}
    assert setting.history.count() == 1
    chains_page = client.get(reverse("escalation:chains") + f"?provider={provider.pk}").text
    assert "receiving the issued learning notice within 6 hours" in chains_page


def test_notices_are_issued_due_within_the_providers_own_window(
    client, sign_in, tune, log_falls_trigger, managers, falls_provider, quality_director
):
    """A provider that asks for implementation within 48 hours had its notices issued due in 72 (a fixed
    figure), so A2 counted every notice the system itself issued as not due in time."""
    tune("A2", {"sampled_due_within_72h": {"due_within_hours": 48}})
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
    assert "with implementation due in 48 hours" in page and "72 hours" not in page
    notices = issue_notices(trigger, by=quality_director, now=ISSUED)
    assert notices and {notice.due_at - notice.issued_at for notice in notices} == {timedelta(hours=48)}
    a2 = chain.step_run(trigger, "A2")
    figures = computations.compute(a2, ISSUED + timedelta(hours=1))
    assert figures.values["sampled_due_within_72h"] == len(notices)


def test_the_trigger_page_states_a4s_rule_as_the_case_runs_it(
    client, sign_in, provider, administrator, log_falls_trigger, quality_director
):
    """A provider that escalates A4 below 10 % read "below 12 %" on every trigger's page."""
    from escalation import services as engine
    from escalation.models import StepTemplate

    a4 = StepTemplate.objects.get(code="A4")
    engine.tune_step(
        provider,
        a4,
        by=administrator,
        reason="Our regions agreed a lower bar while agency cover is high.",
        threshold_rule={**a4.threshold_rule, "value": 10},
        response_working_hours=a4.response_working_hours,
    )
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
    alignment = page.split('id="alignment"', 1)[1].split("</p>", 1)[0]
    assert "expected reduction in comparable risk exposure is below 10 %" in alignment
    assert "12 %" not in alignment


def test_the_tuning_page_says_the_due_window_sets_new_notices_due_dates(
    client, sign_in, provider, administrator
):
    sign_in(administrator)
    url = reverse("escalation:tune_step", kwargs={"code": "A2"}) + f"?provider={provider.pk}"
    page = client.get(url).text
    assert "New learning notices are issued due within this many hours." in page
