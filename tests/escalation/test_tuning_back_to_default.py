"""A step whose values are its defaults again is not marked tuned, and the tuning page offers to set a
tuned step back to the default values, with a reason."""

import pytest
from django.urls import reverse

from escalation import services
from escalation.models import ProviderStepSetting, StepTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def a2_tuned(chains, people, provider):
    """A2 tuned to 90 % and a 6-hour receipt window."""
    a2 = StepTemplate.objects.get(code="A2")
    return services.tune_step(
        provider,
        a2,
        by=people.administrator,
        reason="Rural homes: receipt target 6 hours, 90 %",
        threshold_rule={**a2.threshold_rule, "value": 90},
        measure_parameters={"pct_received_within_4h": {"window_hours": 6}},
    )


def _a2_row(client, provider) -> str:
    page = client.get(reverse("escalation:chains") + f"?provider={provider.pk}").text
    start = page.index('id="step-A2"')
    return page[start : page.index("</tr>", start)]


def test_a_step_set_back_exactly_to_its_defaults_is_not_marked_tuned(
    client, sign_in, people, provider, a2_tuned
):
    sign_in(people.administrator)
    assert "Tuned" in _a2_row(client, provider)
    a2 = a2_tuned.step
    services.tune_step(
        provider,
        a2,
        by=people.administrator,
        reason="Back to the default",
        threshold_rule=a2.threshold_rule,
        response_working_hours=a2.response_working_hours,
        measure_parameters={"pct_received_within_4h": {"window_hours": 4}},
    )
    assert "Tuned" not in _a2_row(client, provider)


def test_the_change_page_sets_a_tuned_step_back_to_the_defaults_with_a_reason(
    client, sign_in, people, provider, a2_tuned
):
    sign_in(people.administrator)
    url = reverse("escalation:tune_step", args=["A2"]) + f"?provider={provider.pk}"
    assert "Set back to the default values" in client.get(url).text
    refused = client.post(url, {"back_to_default": "1", "default-reason": ""})
    assert "Give the reason for the change." in refused.text
    done = client.post(url, {"back_to_default": "1", "default-reason": "The pilot is over."})
    assert done.status_code == 302
    setting = ProviderStepSetting.objects.get(provider=provider, step__code="A2")
    assert setting.effective_rule == setting.step.threshold_rule
    assert setting.effective_measures == setting.step.measures
    assert setting.history.first().history_change_reason == "The pilot is over."
    assert "Tuned" not in _a2_row(client, provider)
    assert "Set back to the default values" not in client.get(url).text


def test_setting_back_twice_records_one_change(client, sign_in, people, provider, a2_tuned):
    """Found: the same "Set back to the default values" sent again (a resend, a double press) added a
    "Changed" row listing nothing to the step's history."""
    sign_in(people.administrator)
    url = reverse("escalation:tune_step", args=["A2"]) + f"?provider={provider.pk}"
    form = {"back_to_default": "1", "default-reason": "The pilot is over."}
    assert client.post(url, form).status_code == 302
    rows = a2_tuned.history.count()

    again = client.post(url, form)

    assert again.status_code == 200
    assert "Nothing changed: these are the values in force." in again.text
    assert a2_tuned.history.count() == rows


def test_the_first_tuning_reads_as_a_change(client, sign_in, people, provider, a2_tuned):
    """Found: a step's first tuning was listed as "Created" in its history: it changed the step."""
    sign_in(people.administrator)
    page = client.get(reverse("escalation:tune_step", args=["A2"]) + f"?provider={provider.pk}").text
    history = page.split("<h2>History</h2>", 1)[1]
    assert "Created" not in history
    assert "Changed" in history and "90" in history
