"""Lifting an issue hold right after the sign-off for issue (C5) said to keep it: the lift page says so,
naming who recorded the sign-off and when, and asks for a ticked confirmation; the hold keeps it on its
record. And the hold page of an update already held says so instead of offering a second hold."""

import pytest
from django.urls import reverse

from providers.templatetags.nhsuk import london
from reporting_control import chain, services
from reporting_control.choices import LineKind
from reporting_control.models import IssueHold
from tests.factories import CHECK_DONE

pytestmark = pytest.mark.django_db

CONFIRM = "confirm_against_sign_off"


@pytest.fixture
def kept_on_hold(plan, compliance_manager, provider_director, birch_lodge):
    """Three provider-wide claims nobody can evidence: the sign-off (C5) breaches and keeps the hold."""
    update = plan()
    for claim in ("Shared everywhere.", "Adopted across the provider.", "Every home changed practice."):
        services.add_line(
            update, by=compliance_manager, claim=claim, kind=LineKind.PROVIDER_WIDE, services=[birch_lodge]
        )
    record = chain.record_sign_off(update, by=provider_director, check_done=CHECK_DONE)
    assert record.breached
    update.sign_off_record = record
    return update


def test_the_lift_page_says_the_sign_off_kept_the_hold_and_asks_to_confirm(
    client, sign_in, kept_on_hold, provider_director
):
    update, record = kept_on_hold, kept_on_hold.sign_off_record
    url = reverse("reporting_control:hold_lift", args=[update.pk])
    sign_in(provider_director)

    page = client.get(url).text
    assert "The latest sign-off for issue (C5) said to keep the hold" in page
    assert f"recorded by {provider_director} on {london(record.recorded_at)}" in page
    assert f'name="{CONFIRM}"' in page

    unticked = client.post(url, {"reason": "Correcting the claims overnight."})
    assert unticked.status_code == 200
    assert "Tick the box to lift the hold against the sign-off" in unticked.text
    assert services.active_hold(update) is not None

    client.post(url, {"reason": "Correcting the claims overnight.", CONFIRM: "on"})
    hold = IssueHold.objects.get(update=update)
    assert hold.lifted_at is not None
    assert hold.lift_reason.startswith("Correcting the claims overnight.")
    assert "against the sign-off for issue (C5)" in hold.lift_reason
    assert f"recorded by {provider_director} on {london(record.recorded_at)}" in hold.lift_reason
    assert "against the sign-off for issue (C5)" in hold.history.latest().history_change_reason


def test_a_hold_not_kept_by_the_sign_off_asks_no_confirmation(
    client, sign_in, evidenced_update, compliance_manager, provider_director
):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Figures disputed.")
    sign_in(provider_director)
    url = reverse("reporting_control:hold_lift", args=[evidenced_update.pk])
    page = client.get(url).text
    assert "said to keep the hold" not in page and CONFIRM not in page
    client.post(url, {"reason": "Answered."})
    assert IssueHold.objects.get().lift_reason == "Answered."


def test_the_hold_page_of_a_held_update_says_it_is_held_and_links_to_lifting(
    client, sign_in, evidenced_update, compliance_manager, provider_director
):
    hold = services.place_hold(evidenced_update, by=compliance_manager, reason="Figures disputed.")
    sign_in(provider_director)

    page = client.get(reverse("reporting_control:hold_place", args=[evidenced_update.pk])).text

    assert f"already held, by {compliance_manager}, since {london(hold.placed_at)}" in page
    assert "Figures disputed." in page
    assert reverse("reporting_control:hold_lift", args=[evidenced_update.pk]) in page
    assert 'name="reason"' not in page and "Place hold</button>" not in page
