"""The Provider Administrator's chain tuning page: whole numbers for counts, every mistake named on the
first submit in words that read, a reason of bounded length, and no "change" to the values in force."""

from pathlib import Path

import pytest
from django.urls import reverse

from escalation.models import ProviderStepSetting
from providers.models import REASON_MAX_LENGTH

pytestmark = pytest.mark.django_db

# A1's values in force by default: more than 2 matched services, open actions over 5 working days,
# incident rates over 7 days, escalated within 1 working hour.
A1_DEFAULTS = {
    "threshold_0": "2",
    "response_working_hours": "1",
    "open_actions_due_5d__working_days": "5",
    "matched_service_rates__days": "7",
}


@pytest.fixture
def tune_a1(client, sign_in, chains, people, provider):
    """Post A1's tuning form as the provider administrator; returns the response."""
    sign_in(people.administrator)
    url = reverse("escalation:tune_step", args=["A1"]) + f"?provider={provider.pk}"

    def post(**changes):
        return client.post(url, A1_DEFAULTS | {"reason": "Board decision, March."} | changes)

    post.url = url
    return post


def errors_of(response) -> list[str]:
    return [str(error) for field in response.context["form"].errors.values() for error in field]


def test_a_count_threshold_takes_whole_numbers_only(tune_a1):
    response = tune_a1(threshold_0="2.5")
    assert response.status_code == 200
    assert "Enter the threshold (number of services) as a whole number" in response.text
    assert not ProviderStepSetting.objects.exists()


def test_a_percentage_threshold_still_takes_a_decimal(client, sign_in, chains, people, provider):
    sign_in(people.administrator)
    url = reverse("escalation:tune_step", args=["A2"]) + f"?provider={provider.pk}"
    response = client.post(
        url, {"threshold_0": "92.5", "response_working_hours": "1", "reason": "Agreed at board."}
    )
    assert response.status_code == 302
    assert ProviderStepSetting.objects.get().threshold_rule["value"] == 92.5


def test_every_mistake_is_named_on_the_first_submit(tune_a1):
    response = tune_a1(
        threshold_0="-1",
        response_working_hours="-2",
        open_actions_due_5d__working_days="0",
        matched_service_rates__days="2.5",
        reason="",
    )
    errors = errors_of(response)
    assert "A threshold on a count, rate or time must be at least 0, not -1." in errors
    assert "Response window (working hours) must be 0 or more." in errors
    assert "Look-ahead for open actions must be a whole number of working days from 1 to 20, not 0." in errors
    assert "Enter the look-back for incident rates as a whole number of days." in errors
    assert "Give the reason for the change." in errors
    assert len(errors) == 5


def test_the_labels_read_as_nouns_and_no_django_default_is_shown(tune_a1):
    response = tune_a1(threshold_0="123456789012", response_working_hours="12345.5")
    errors = errors_of(response)
    assert not [e for e in errors if e.startswith("Ensure")], errors
    assert not [e for e in errors if "escalate when:" in e.lower()], errors
    text = response.text
    assert "Threshold (number of services)" in text
    assert "Escalate when more than N services with a matching risk profile." in text
    assert "Look-back for incident rates (days)" in text


def test_a_reason_over_the_limit_is_refused_and_the_history_wraps_long_words(tune_a1, client):
    response = tune_a1(threshold_0="3", reason="x" * (REASON_MAX_LENGTH + 1))
    assert f"Up to {REASON_MAX_LENGTH} characters" in response.text
    assert any(str(REASON_MAX_LENGTH) in error for error in errors_of(response))
    assert not ProviderStepSetting.objects.exists()
    unbroken = "https://example.org/" + "a" * 400
    assert tune_a1(threshold_0="3", reason=unbroken).status_code == 302
    page = client.get(tune_a1.url).text
    history = page.split("<h2>History</h2>", 1)[1]
    # The Why cell lets a long unbroken link wrap instead of widening the page (static/css/app.css).
    assert 'class="nhsuk-table__cell app-cell-prose"' in history and unbroken in history


def test_the_stylesheet_wraps_long_words_in_a_cell_of_sentences():
    css = (Path(__file__).resolve().parents[2] / "static/css/app.css").read_text()
    assert ".app-cell-prose { overflow-wrap: anywhere; }" in css


def test_saving_the_values_in_force_changes_nothing(tune_a1):
    response = tune_a1()
    assert response.status_code == 200
    assert "Nothing changed: these are the values in force." in response.text
    assert not ProviderStepSetting.objects.exists()
    assert tune_a1(threshold_0="3").status_code == 302
    response = tune_a1(threshold_0="3", reason="Said again.")
    assert "Nothing changed: these are the values in force." in response.text
    setting = ProviderStepSetting.objects.get()
    assert setting.history.count() == 1
    # Back to the default is a change: the history shows it.
    assert tune_a1(reason="Back to the guidance.").status_code == 302
    assert setting.history.count() == 2


def test_the_response_window_is_shown_as_typed_not_as_the_column_stores_it(client, tune_a1):
    """1, not 1.00: the window is filled as every page writes a figure."""
    page = client.get(tune_a1.url).text
    field = page.split('name="response_working_hours"', 1)[1].split(">", 1)[0]
    assert 'value="1"' in field


def test_thresholds_that_must_all_be_reached_say_so(client, sign_in, chains, people, provider):
    """Found: B4's two threshold hints each said "Escalate when more than …", with no word that both
    must be reached (the rule is AND)."""
    sign_in(people.administrator)
    form = client.get(reverse("escalation:tune_step", args=["B4"]) + f"?provider={provider.pk}").context[
        "form"
    ]
    hints = [form.fields[f"threshold_{n}"].help_text for n in (0, 1)]
    assert all(hint.endswith("and the other threshold here is reached too.") for hint in hints), hints
