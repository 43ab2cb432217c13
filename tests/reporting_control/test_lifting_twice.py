"""A hold lifted twice (the back button, a second tab) says who lifted it and when, and changes nothing;
the lift page of an update no longer held points back to the update instead of offering the form."""

import pytest
from django.urls import reverse

from providers.templatetags.nhsuk import on_at
from reporting_control import services
from reporting_control.models import IssueHold

pytestmark = pytest.mark.django_db


@pytest.fixture
def lifted(evidenced_update, compliance_manager, provider_director):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Figures disputed.")
    services.lift_hold(evidenced_update, by=provider_director, reason="Figures reconciled.")
    return IssueHold.objects.get(update=evidenced_update)


def test_a_second_lift_says_who_lifted_it(client, sign_in, evidenced_update, lifted, provider_director):
    sign_in(provider_director)
    url = reverse("reporting_control:hold_lift", args=[evidenced_update.pk])

    response = client.post(url, {"reason": "Lifting again."}, follow=True)

    assert response.redirect_chain[-1][0] == evidenced_update.get_absolute_url()
    assert (
        f"Already lifted by {provider_director} {on_at(lifted.lifted_at)}: nothing changed." in response.text
    )
    assert IssueHold.objects.get(pk=lifted.pk).lift_reason == "Figures reconciled."
    assert lifted.history.count() == 2  # placed, lifted: nothing more


def test_the_lift_page_of_an_update_no_longer_held_goes_back_to_it(
    client, sign_in, evidenced_update, lifted, provider_director
):
    sign_in(provider_director)

    response = client.get(reverse("reporting_control:hold_lift", args=[evidenced_update.pk]), follow=True)

    assert response.redirect_chain[-1][0] == evidenced_update.get_absolute_url()
    assert "Already lifted by" in response.text and 'name="reason"' not in response.text


def test_the_lift_page_of_an_update_never_held_says_so(client, sign_in, evidenced_update, provider_director):
    sign_in(provider_director)

    response = client.get(reverse("reporting_control:hold_lift", args=[evidenced_update.pk]), follow=True)

    assert "This update is not held: nothing to lift." in response.text
