"""A2 samples its notices once: the sample size its check names and both its sampled measures count in
is one field on the tuning page, saved to every place it is used, and no "{...}" reaches a person."""

import pytest
from django.urls import reverse

from escalation.models import ProviderStepSetting

pytestmark = pytest.mark.django_db

A2_DEFAULTS = {
    "threshold_0": "100",
    "response_working_hours": "2",
    "pct_received_within_4h__window_hours": "4",
    "sampled_with_named_owner__sample_size": "12",
    "sampled_due_within_72h__due_within_hours": "72",
}


@pytest.fixture
def a2_page(client, sign_in, chains, people, provider):
    """A2's tuning page as the provider administrator: its URL."""
    sign_in(people.administrator)
    return reverse("escalation:tune_step", args=["A2"]) + f"?provider={provider.pk}"


def test_the_sample_size_is_one_field_that_names_where_it_is_used(client, a2_page):
    form = client.get(a2_page).context["form"]
    sample_fields = [field for field in form if field.label.startswith("Sample size")]
    assert len(sample_fields) == 1
    hint = str(sample_fields[0].help_text)
    assert "Sampled learning notices with a named service owner" in hint
    assert "Sampled notices with an implementation due date" in hint
    assert "A 12-notice sample" in hint and "{" not in hint


def test_a_new_sample_size_is_saved_to_every_measure_and_the_check(client, a2_page, provider):
    response = client.post(
        a2_page,
        A2_DEFAULTS | {"sampled_with_named_owner__sample_size": "20", "reason": "A bigger sample."},
    )
    assert response.status_code == 302, response.context["form"].errors
    setting = ProviderStepSetting.objects.get(provider=provider, step__code="A2")
    parameters = setting.measure_parameters
    assert parameters["sampled_with_named_owner"] == {"sample_size": 20}
    assert parameters["sampled_due_within_72h"]["sample_size"] == 20
    assert setting.effective_check_method.startswith("A 20-notice sample")


def test_no_placeholder_or_check_method_words_reach_the_page(client, a2_page):
    response = client.post(
        a2_page,
        A2_DEFAULTS | {"sampled_with_named_owner__sample_size": "600", "reason": "A bigger sample."},
    )
    assert response.status_code == 200
    assert "{sample_size}" not in response.text and "check method" not in response.text.lower()
    assert "Sample size must be a whole number of notices from 1 to 500, not 600." in response.text


def test_the_page_says_what_cannot_be_changed(client, a2_page):
    """The README's promise and the page agree: thresholds, windows and counting change; who records
    the step and by when do not, and the page says so rather than leaving the administrator looking."""
    response = client.get(a2_page)
    assert "Who records this step and by when stay as the guidance sets them" in response.text
    assert "role" not in "".join(str(field.label).lower() for field in response.context["form"])
