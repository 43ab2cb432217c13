"""The register's service filter. Found: a quality director looking for every learning Ash Grove was
sent chose Ash Grove under "Service" and saw nothing: the filter meant the service where the failure
happened only. The register now asks the two questions apart: "Where it happened" and "Sent to"."""

import pytest
from django.urls import reverse

from learning_transfer.services import adjust_match

pytestmark = pytest.mark.django_db
TITLE = "Unwitnessed fall at night"


@pytest.fixture
def trigger(log_falls_trigger):
    return log_falls_trigger()


def _register(client, **query):
    return client.get(reverse("learning_transfer:trigger_list"), query).text


def test_sent_to_finds_the_learning_a_service_was_sent(
    client, sign_in, trigger, falls_provider, quality_director
):
    sign_in(quality_director)
    ash, elm = falls_provider["ash"], falls_provider["elm"]
    page = _register(client)
    assert "Where it happened" in page and "Sent to" in page
    assert TITLE in _register(client, sent_to=ash.pk)
    assert TITLE not in _register(client, service=ash.pk)  # it happened at Elm House
    assert TITLE in _register(client, service=elm.pk)
    # Ember Court was never matched; a service left out is no longer sent the learning.
    assert TITLE not in _register(client, sent_to=falls_provider["ember"].pk)
    adjust_match(trigger, ash, False, "Ash Grove has no night staff on that floor.", quality_director)
    assert TITLE not in _register(client, sent_to=ash.pk)


def test_one_trigger_sent_to_a_service_is_listed_once(
    client, sign_in, trigger, falls_provider, quality_director
):
    sign_in(quality_director)
    page = _register(client, sent_to=falls_provider["beech"].pk)
    assert page.count(trigger.reference) == 1


def test_a_date_range_that_cannot_hold_anything_is_refused_with_a_message(
    client, sign_in, trigger, quality_director
):
    """Found: "on or after" 11 March and "on or before" 1 January answered "No triggers match"."""
    sign_in(quality_director)
    response = client.get(
        reverse("learning_transfer:trigger_list"),
        {"confirmed_from": "2026-03-11", "confirmed_to": "2026-01-01"},
    )
    assert "There is a problem" in response.text
    assert response.context["filter_form"].errors["confirmed_to"] == [
        "Enter a date on or after the “Confirmed on or after” date."
    ]


def test_each_trigger_is_opened_by_its_title(client, sign_in, trigger, quality_director):
    """Found: the register's only link text was the code ("LT-0002"), so a keyboard user tabbed
    through codes."""
    sign_in(quality_director)
    page = _register(client)
    assert f'{reverse("learning_transfer:trigger_detail", args=[trigger.pk])}">{TITLE}</a>' in page
