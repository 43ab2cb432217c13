"""A trigger's long texts and the reasons given on chain A's forms have limits, said with the length
and kept on the form; the browser never cuts a pasted text short.

Tester's walk (quality director), finding 14: 217,500 characters were accepted in "What happened",
and the trigger's page and every evidence pack grew to dozens of pages of it."""

import pytest
from django.urls import reverse

from learning_transfer.models import IncidentReview, LearningTrigger
from learning_transfer.models.triggers import TEXT_MAX_LENGTH
from providers.models import REASON_MAX_LENGTH

from .conftest import trigger_form

pytestmark = pytest.mark.django_db


def test_what_happened_over_its_limit_is_refused_and_kept(client, sign_in, falls_provider, quality_director):
    sign_in(quality_director)
    form = client.get(reverse("learning_transfer:trigger_add")).text
    assert "maxlength" not in form.split('name="what_happened"', 1)[0].rsplit("<textarea", 1)[1]
    long = "The resident was found on the floor. " * 200
    response = client.post(
        reverse("learning_transfer:trigger_add"), trigger_form(falls_provider, what_happened=long)
    )
    assert response.status_code == 200
    expected = f"Shorten what happened to {TEXT_MAX_LENGTH} characters or fewer (it has {len(long.strip())})."
    assert expected in response.text
    assert long.strip() in response.text, "the text is kept on the form"
    assert not LearningTrigger.objects.exists()


def test_a_review_reason_over_its_limit_is_refused(client, sign_in, quality_director, falls_provider):
    incident = falls_provider["elm"].incidents.order_by("pk").first()
    sign_in(quality_director)
    long = "x" * (REASON_MAX_LENGTH + 1)
    response = client.post(
        reverse("learning_transfer:incident_review", args=[incident.pk]), {"outcome": "local", "reason": long}
    )
    assert response.status_code == 200
    assert f"characters or fewer (it has {REASON_MAX_LENGTH + 1})" in response.text
    assert not IncidentReview.objects.exists()
