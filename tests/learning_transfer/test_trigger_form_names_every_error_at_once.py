"""Found: logging a serious failure with no title and a confirmation date next year named only the
missing title; the date in the future was refused on the second submit. The form names both at once."""

import pytest
from django.urls import reverse

from .conftest import trigger_form

pytestmark = pytest.mark.django_db


def test_a_confirmation_in_the_future_is_named_with_the_other_errors(
    client, sign_in, quality_director, falls_provider
):
    sign_in(quality_director)
    response = client.post(
        reverse("learning_transfer:trigger_add"),
        trigger_form(falls_provider, title="", confirmed_at="2027-03-01T10:00"),
    )
    errors = response.context["form"].errors
    assert "title" in errors
    assert errors["confirmed_at"] == ["The failure cannot be confirmed in the future."]
