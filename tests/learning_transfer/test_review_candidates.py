"""Incidents that need a formal review (seed 003) are offered as candidate learning triggers."""

from datetime import date, datetime, timedelta

import pytest

from learning_transfer.choices import CandidateStatus, HarmLevel, IncidentTheme, ReviewReason
from learning_transfer.models import ReviewThresholds
from learning_transfer.services.review import review_candidates
from learning_transfer.services.rollup import refresh_provider
from providers.choices import Role
from tests.factories import person_with_role

from .conftest import LONDON, add_incidents

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=LONDON)


def flagged(user, **kwargs):
    candidates, total = review_candidates(user, now=NOW, **kwargs)
    return {c.incident.source_reference: c.codes for c in candidates}, total


def test_each_review_threshold_flags_an_incident(quality_director, elm_house):
    add_incidents(elm_house, 1, prefix="harm", harm_level=HarmLevel.SEVERE)
    add_incidents(elm_house, 1, prefix="sg", theme=IncidentTheme.SAFEGUARDING, safeguarding_concern=True)
    add_incidents(elm_house, 1, prefix="cqc", theme=IncidentTheme.INFECTION, regulatory_notification=True)
    add_incidents(elm_house, 1, prefix="many", theme=IncidentTheme.CHOKING, people_affected=2)
    add_incidents(elm_house, 1, prefix="minor", theme=IncidentTheme.BEHAVIOUR, harm_level=HarmLevel.LOW)
    found, total = flagged(quality_director)
    assert found == {
        "harm-0": [ReviewReason.SERIOUS_HARM],
        "sg-0": [ReviewReason.SAFEGUARDING],
        "cqc-0": [ReviewReason.REGULATORY],
        "many-0": [ReviewReason.SEVERAL_PEOPLE],
    }
    assert total == 4


def test_the_third_fall_at_a_service_within_28_days_needs_a_review(quality_director, elm_house, birch_lodge):
    for day in (date(2026, 11, 1), date(2026, 11, 10), date(2026, 11, 28)):
        add_incidents(elm_house, 1, day=day, prefix=f"fall-{day:%d}")
    add_incidents(birch_lodge, 2, day=date(2026, 11, 20), prefix="birch")  # only two at Birch Lodge
    found, _ = flagged(quality_director)
    assert found == {"fall-28-0": [ReviewReason.REPEATED]}


def test_the_repeat_window_includes_both_ends(quality_director, provider, elm_house, birch_lodge):
    first = date(2026, 11, 1)
    for n, day in enumerate((first, first + timedelta(days=10), first + timedelta(days=28))):
        add_incidents(elm_house, 1, day=day, prefix=f"fall{n}")
    add_incidents(elm_house, 1, day=first, prefix="medicine", theme=IncidentTheme.MEDICATION)
    add_incidents(birch_lodge, 1, day=first, prefix="birch")
    # The third fall is exactly 28 days after the first: the window includes both ends.
    assert flagged(quality_director, status=CandidateStatus.ALL)[0] == {"fall2-0": [ReviewReason.REPEATED]}
    ReviewThresholds.objects.create(provider=provider, repeat_window_days=27)
    refresh_provider(provider)  # as saving the thresholds in the admin does
    assert flagged(quality_director, status=CandidateStatus.ALL)[0] == {}


def test_a_busy_service_gets_one_review_per_cluster_of_repeats(quality_director, elm_house):
    for n in range(7):
        add_incidents(elm_house, 1, day=date(2026, 11, 1) + timedelta(days=n), prefix=f"day{n}")
    found, total = flagged(quality_director)
    assert found == {"day5-0": [ReviewReason.REPEATED], "day2-0": [ReviewReason.REPEATED]}
    assert total == 2


def test_counting_goes_on_from_the_last_flag_across_a_quiet_spell(quality_director, elm_house):
    # Falls on days 0, 1, 20 (the third: flagged), 30, 35, 36. Day 35 completes three falls within
    # 28 days (20, 30, 35) but two of them were counted already; day 36 is the third since the flag.
    start = date(2026, 10, 1)
    for offset in (0, 1, 20, 30, 35, 36):
        add_incidents(elm_house, 1, day=start + timedelta(days=offset), prefix=f"d{offset}")
    found, _ = flagged(quality_director)
    assert found == {"d36-0": [ReviewReason.REPEATED], "d20-0": [ReviewReason.REPEATED]}


def test_the_provider_can_change_the_repeat_threshold(quality_director, provider, elm_house):
    ReviewThresholds.objects.create(provider=provider, repeat_count=2, repeat_window_days=7)
    add_incidents(elm_house, 1, day=date(2026, 11, 1), prefix="a")
    add_incidents(elm_house, 1, day=date(2026, 11, 6), prefix="b")
    add_incidents(elm_house, 1, day=date(2026, 11, 20), prefix="c")
    found, _ = flagged(quality_director)
    assert found == {"b-0": [ReviewReason.REPEATED]}


def test_earlier_incidents_count_towards_a_repeat_inside_the_look_back(quality_director, elm_house):
    start = NOW.date() - timedelta(days=90)
    for offset in (-3, -2, 1):  # two before the 90-day look-back, one inside it
        add_incidents(elm_house, 1, day=start + timedelta(days=offset), prefix=f"r{offset}")
    found, _ = flagged(quality_director)
    assert found == {"r1-0": [ReviewReason.REPEATED]}


def test_candidates_filter_by_service_and_reason(quality_director, elm_house, birch_lodge):
    add_incidents(elm_house, 1, prefix="elm", harm_level=HarmLevel.DEATH)
    add_incidents(birch_lodge, 1, prefix="birch", safeguarding_concern=True)
    assert list(flagged(quality_director, service=birch_lodge)[0]) == ["birch-0"]
    assert list(flagged(quality_director, reason=ReviewReason.SERIOUS_HARM)[0]) == ["elm-0"]


def test_a_registered_manager_and_other_providers_see_no_candidates(
    registered_manager, elm_house, other_provider_service
):
    add_incidents(elm_house, 1, prefix="elm", harm_level=HarmLevel.DEATH)
    add_incidents(other_provider_service, 1, prefix="far", harm_level=HarmLevel.DEATH)
    outsider = person_with_role(Role.QUALITY_DIRECTOR, provider=other_provider_service.provider)
    assert flagged(registered_manager)[0] == {}
    assert list(flagged(outsider)[0]) == ["far-0"]


def test_the_review_page_offers_log_as_trigger(client, sign_in, quality_director, elm_house):
    [incident] = add_incidents(elm_house, 1, prefix="elm", harm_level=HarmLevel.SEVERE)
    sign_in(quality_director)
    page = client.get("/learning/review/").text
    assert f"/learning/triggers/new/?incident={incident.pk}" in page
    form = client.get(f"/learning/triggers/new/?incident={incident.pk}").text
    assert "From incident" in form and 'value="falls"' in form
