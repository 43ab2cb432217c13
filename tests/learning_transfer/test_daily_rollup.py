"""The daily roll-up (incidents and care hours per service per London day) and the stored review flags
stay equal to a plain count of the raw rows, whatever way the rows arrive or change: imports,
re-imports, an import that moves an incident to another day, manual entry, and an operator's edit or
delete in the admin. The pages then read the roll-up and show the same figures as the raw rows."""

from collections import Counter
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning_transfer.choices import CandidateStatus, ReviewReason
from learning_transfer.models import CareHours, Incident, ReviewFlag, ReviewThresholds, ServiceDay
from learning_transfer.services import import_care_hours, import_incidents, record_incident
from learning_transfer.services.review import review_candidates
from learning_transfer.services.rollup import after_data_saved
from tests.factories import UserFactory

from .conftest import LONDON
from .test_review_flags_match_reference import repeated

pytestmark = pytest.mark.django_db
HEADER = (
    "source_reference,service,occurred_at,theme,harm_level,safeguarding_concern,people_affected,description"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def csv(name: str, lines: list[str], header: str = HEADER):
    return SimpleUploadedFile(name, "\n".join([header, *lines]).encode(), content_type="text/csv")


def incidents_file(elm, birch, late_fall="2026-11-02 23:30"):
    """Falls at Elm House (one near midnight: which London day it is on matters) and Birch Lodge."""
    return csv(
        "incidents.csv",
        [
            f"E-1,{elm.cqc_location_id},2026-11-02 08:00,fall,none,no,1,",
            f"E-2,{elm.cqc_location_id},{late_fall},fall,none,no,1,",
            f"E-3,{elm.cqc_location_id},2026-11-03 00:10,fall,none,no,1,",
            f"E-4,{elm.cqc_location_id},2026-11-05 09:00,fall,none,no,1,",
            f"B-1,{birch.cqc_location_id},2026-11-02 12:00,medication,severe,no,1,",
        ],
    )


def care_hours_file(elm, hours="100.50"):
    return csv(
        "hours.csv",
        [f"{elm.cqc_location_id},2026-11-0{d},{hours}" for d in (1, 2, 3)],
        header="service,day,hours",
    )


def raw_counts() -> dict:
    """{(service id, London day): (incidents, care hours or None)} counted one raw row at a time."""
    incidents = Counter(
        (service_id, at.astimezone(LONDON).date())
        for service_id, at in Incident.objects.values_list("service_id", "occurred_at")
    )
    hours = {(s, d): h for s, d, h in CareHours.objects.values_list("service_id", "day", "hours")}
    return {key: (incidents.get(key, 0), hours.get(key)) for key in set(incidents) | set(hours)}


def rolled_up() -> dict:
    return {
        (s, d): (n, h)
        for s, d, n, h in ServiceDay.objects.values_list("service_id", "day", "incidents", "care_hours")
    }


def assert_rollup_matches_raw_rows():
    assert rolled_up() == raw_counts()
    repeats = repeated(list(Incident.objects.all()), 3, 28)  # the default thresholds, one at a time
    assert set(ReviewFlag.objects.filter(repeated=True).values_list("incident_id", flat=True)) == repeats


def test_imports_and_reimports_keep_the_rollup_equal_to_the_raw_rows(
    quality_director, provider, elm_house, birch_lodge
):
    import_incidents(incidents_file(elm_house, birch_lodge), provider, quality_director)
    assert_rollup_matches_raw_rows()
    assert rolled_up()[(elm_house.pk, date(2026, 11, 2))] == (2, None)  # 23:30 GMT is still the 2nd

    import_incidents(incidents_file(elm_house, birch_lodge), provider, quality_director)  # the same file
    assert_rollup_matches_raw_rows()
    assert Incident.objects.count() == 5

    # A corrected export moves E-2 to the next day: both days are recounted.
    import_incidents(
        incidents_file(elm_house, birch_lodge, late_fall="2026-11-03 07:00"), provider, quality_director
    )
    assert_rollup_matches_raw_rows()
    assert rolled_up()[(elm_house.pk, date(2026, 11, 2))] == (1, None)
    assert rolled_up()[(elm_house.pk, date(2026, 11, 3))] == (2, None)

    import_care_hours(care_hours_file(elm_house), provider, quality_director)
    import_care_hours(care_hours_file(elm_house, hours="90.25"), provider, quality_director)  # changed
    assert_rollup_matches_raw_rows()
    assert rolled_up()[(elm_house.pk, date(2026, 11, 1))] == (0, Decimal("90.25"))


def test_an_import_that_moves_an_incident_off_every_day_in_its_file_recounts_the_day_it_left(
    quality_director, provider, elm_house, birch_lodge
):
    import_incidents(incidents_file(elm_house, birch_lodge), provider, quality_director)
    # A corrected export of E-4 alone: it happened on the 2nd, not the 5th, which the file never names.
    moved = csv("correction.csv", [f"E-4,{elm_house.cqc_location_id},2026-11-02 09:00,fall,none,no,1,"])
    import_incidents(moved, provider, quality_director)
    assert_rollup_matches_raw_rows()
    assert (elm_house.pk, date(2026, 11, 5)) not in rolled_up()
    assert rolled_up()[(elm_house.pk, date(2026, 11, 2))] == (3, None)


def test_a_file_with_a_bad_row_changes_neither_the_rows_nor_the_rollup(
    quality_director, provider, elm_house, birch_lodge
):
    import_incidents(incidents_file(elm_house, birch_lodge), provider, quality_director)
    before = rolled_up()
    bad = csv(
        "bad.csv",
        [f"E-9,{elm_house.cqc_location_id},2026-11-04 10:00,fall,none,no,1,", "E-10,Nowhere,x,y,,,,"],
    )
    import_incidents(bad, provider, quality_director)
    assert rolled_up() == before and not Incident.objects.filter(source_reference="E-9").exists()


def test_manual_entry_is_counted_at_once(quality_director, elm_house):
    record_incident(
        by=quality_director,
        service=elm_house,
        source_reference="HAND-1",
        occurred_at=datetime(2026, 11, 10, 0, 30, tzinfo=LONDON),
        theme="fall",
    )
    assert_rollup_matches_raw_rows()
    assert rolled_up() == {(elm_house.pk, date(2026, 11, 10)): (1, None)}


def test_an_operators_edit_and_delete_in_the_admin_are_counted(
    client, sign_in, quality_director, provider, elm_house, birch_lodge
):
    import_incidents(incidents_file(elm_house, birch_lodge), provider, quality_director)
    sign_in(UserFactory(is_staff=True, is_superuser=True))
    moved = Incident.objects.get(source_reference="E-4")
    form = {
        "service": birch_lodge.pk,  # recorded against the wrong service, and a day late
        "source_reference": "E-4",
        "occurred_at_0": "2026-11-04",
        "occurred_at_1": "09:00:00",
        "theme": "fall",
        "harm_level": "none",
        "people_affected": 1,
        "description": "",
        "_save": "Save",
    }
    response = client.post(reverse("admin:learning_transfer_incident_change", args=[moved.pk]), form)
    assert response.status_code == 302, response.text[:2000]
    assert_rollup_matches_raw_rows()
    assert (elm_house.pk, date(2026, 11, 5)) not in rolled_up()

    gone = Incident.objects.get(source_reference="E-1")
    response = client.post(
        reverse("admin:learning_transfer_incident_delete", args=[gone.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert_rollup_matches_raw_rows()


def test_recounting_again_or_over_a_wider_range_changes_nothing(
    quality_director, provider, elm_house, birch_lodge
):
    import_incidents(incidents_file(elm_house, birch_lodge), provider, quality_director)
    import_care_hours(care_hours_file(elm_house), provider, quality_director)
    before = rolled_up()
    after_data_saved([elm_house.pk, birch_lodge.pk], date(2026, 11, 2), date(2026, 11, 2))
    after_data_saved([elm_house.pk, birch_lodge.pk])
    assert rolled_up() == before
    assert_rollup_matches_raw_rows()


def test_the_review_list_reads_the_stored_flags_and_follows_new_thresholds(
    client, sign_in, quality_director, provider, elm_house, birch_lodge
):
    import_incidents(incidents_file(elm_house, birch_lodge), provider, quality_director)
    now = datetime(2026, 11, 20, 12, 0, tzinfo=LONDON)
    found, total = review_candidates(quality_director, now=now, status=CandidateStatus.ALL)
    assert {c.incident.source_reference: c.codes for c in found} == {
        "E-3": [ReviewReason.REPEATED],  # the third fall at Elm House within 28 days
        "B-1": [ReviewReason.SERIOUS_HARM],
    }
    thresholds = ReviewThresholds.objects.create(provider=provider, repeat_count=2)
    sign_in(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "provider": provider.pk,
        "repeat_count": 4,
        "repeat_window_days": 28,
        "people_affected": 2,
        "lookback_days": 90,
        "_save": "Save",
    }
    url = reverse("admin:learning_transfer_reviewthresholds_change", args=[thresholds.pk])
    assert client.post(url, form).status_code == 302
    found, total = review_candidates(quality_director, now=now, status=CandidateStatus.ALL)
    assert {c.incident.source_reference for c in found} == {"E-4", "B-1"} and total == 2
