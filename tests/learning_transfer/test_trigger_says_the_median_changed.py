"""Tester 17 (H2): incidents imported after matching for services that were not matched moved the provider
median in the trigger's matching window (0.026 to 0.051), so none of the matched services was above it any
more; the trigger's page still said "Mandatory learning must be issued today … 2 above the provider
median 0.026", with no word that anything changed: the "Figures changed after matching" note looked only
at the matched services. The median is counted over every service, so the note now says when it moved."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from learning_transfer.services import import_care_hours, match_services

from .conftest import CONFIRMED
from .test_trigger_says_figures_changed_since_matching import RECOUNT, hours_file

pytestmark = pytest.mark.django_db
MOVED = "The provider median in the matching window changed after matching (1.000 when matched, 0.500 now)"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def page_of(client, trigger) -> str:
    return client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text


def test_care_hours_of_a_service_not_matched_that_move_the_median_are_said(
    client, sign_in, provider, quality_director, log_falls_trigger
):
    trigger = log_falls_trigger()
    assert float(trigger.provider_median_rate) == 1.0  # Ash Grove at 1.0 is not above it
    sign_in(quality_director)
    assert "provider median in the matching window changed" not in page_of(client, trigger)

    # Ember Court (medication, not matched): 14 incidents over 600 + 6,300 hours is a rate of 0.2, so
    # the median of 1.0, 1.0, 0.5, 0.0 and 0.2 is 0.5, and Ash Grove is above it now.
    with time_machine.travel(CONFIRMED + timedelta(hours=1), tick=False):
        import_care_hours(hours_file([("Ember Court", "2026-11-12", "6300")]), provider, quality_director)
        page = page_of(client, trigger)
    assert f"{MOVED}: {RECOUNT}." in page

    match_services(trigger, by=quality_director)
    trigger.refresh_from_db()
    assert float(trigger.provider_median_rate) == 0.5
    assert "provider median in the matching window changed" not in page_of(client, trigger)


def test_a_change_that_leaves_the_median_where_it_was_says_nothing_of_it(
    client, sign_in, provider, quality_director, log_falls_trigger
):
    trigger = log_falls_trigger()
    import_care_hours(hours_file([("Ember Court", "2026-11-12", "120")]), provider, quality_director)
    sign_in(quality_director)
    assert "provider median in the matching window changed" not in page_of(client, trigger)
