"""A reason for a change of working hours or roles is refused past its limit in plain words, kept whole.

The reason fields stopped at 500 characters with Django's "Ensure this value has at most 500
characters", and told the browser the limit, which cuts a pasted reason short without a word: the
administrator saw their reason saved, its end gone. Now the page names the limit and the length, and
keeps the text to shorten.
"""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from providers import services
from providers.choices import Role
from providers.models import REASON_MAX_LENGTH
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db

TOO_LONG = ("The late shift now ends at 22:00 after the falls review. " * 10)[: REASON_MAX_LENGTH + 1]
REFUSAL = f"Shorten the reason to {REASON_MAX_LENGTH} characters or fewer (it has {REASON_MAX_LENGTH + 1})."


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


def test_new_working_hours_with_a_reason_over_the_limit_are_refused_and_the_reason_kept(
    client, sign_in, administrator, provider
):
    assert len(TOO_LONG) == REASON_MAX_LENGTH + 1 and TOO_LONG.strip() == TOO_LONG
    sign_in(administrator)
    form = {"start": "08:00", "end": "18:00", "weekdays": ["0", "1", "2", "3", "4"], "reason": TOO_LONG}
    response = client.post(reverse("working_hours"), form)

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [REFUSAL]
    assert TOO_LONG in response.text
    assert "maxlength" not in response.text  # the browser would cut a pasted reason short silently
    provider.refresh_from_db()
    assert provider.working_day_start == time(9)


def test_a_role_given_with_a_reason_over_the_limit_is_refused_and_the_reason_kept(
    client, sign_in, administrator, registered_manager, elm_house
):
    sign_in(administrator)
    form = {
        "person": registered_manager.pk,
        "role": Role.CLINICAL_LEAD,
        "service": elm_house.pk,
        "reason": TOO_LONG,
    }
    response = client.post(reverse("people"), form)

    assert response.context["form"].errors["reason"] == [REFUSAL]
    assert TOO_LONG in response.text
    assert not registered_manager.role_assignments.filter(role=Role.CLINICAL_LEAD).exists()


def test_the_service_refuses_a_reason_over_the_limit_too(administrator, provider):
    with pytest.raises(ValidationError) as refused:
        services.set_working_hours(
            provider, by=administrator, start=time(8), end=time(18), weekdays={0, 1}, reason=TOO_LONG
        )
    assert refused.value.message_dict["reason"] == [REFUSAL]
    provider.refresh_from_db()
    assert provider.working_day_start == time(9)
