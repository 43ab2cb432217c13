"""Dates and rows as spreadsheets export them (a tester's walk with a care-management system's exports):
a day written with a midnight time, a time on the 12-hour clock, a date that does not exist named as
such, and a row of spaces, blank to the eye, skipped like a blank row rather than stopping the file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learning_transfer.choices import ImportStatus
from learning_transfer.models import CareHours, Incident
from learning_transfer.services import import_care_hours, import_incidents
from providers.templatetags.nhsuk import london

pytestmark = pytest.mark.django_db

HEADER = "source_reference,service,occurred_at,theme"
LIKE = "2026-11-02 14:30 or 02/11/2026 14:30"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(text: str):
    return SimpleUploadedFile("export.csv", text.encode("utf-8"), content_type="text/csv")


def messages(job) -> list[tuple[int, str]]:
    return [(e["line"], e["message"]) for e in job.errors]


def test_a_day_with_a_midnight_time_is_a_day(quality_director, provider, elm_house):
    job = import_care_hours(
        upload("service,day,hours\nElm House,07/11/2026 00:00,120\n"), provider, quality_director
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert CareHours.objects.get(service=elm_house).day.isoformat() == "2026-11-07"


def test_a_day_with_another_time_is_still_refused(quality_director, provider, elm_house):
    job = import_care_hours(
        upload("service,day,hours\nElm House,07/11/2026 14:00,120\n"), provider, quality_director
    )
    assert messages(job) == [(2, "day '07/11/2026 14:00' is not a date like 2026-11-02 or 02/11/2026.")]


def test_a_time_on_the_twelve_hour_clock_is_read(quality_director, provider, elm_house):
    job = import_incidents(
        upload(f"{HEADER}\nPM-1,Elm House,07/11/2026 2:30 PM,fall\n"), provider, quality_director
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    incident = Incident.objects.get(source_reference="PM-1")
    assert london(incident.occurred_at) == "Sat 7 Nov 2026, 14:30"


def test_a_date_that_does_not_exist_is_named(quality_director, provider, elm_house):
    job = import_incidents(
        upload(f"{HEADER}\nX-1,Elm House,31/11/2026 10:00,fall\nX-2,Elm House,05/13/2026 10:00,fall\n"),
        provider,
        quality_director,
    )
    assert messages(job) == [
        (
            2,
            f"occurred_at '31/11/2026 10:00' is not a date and time like {LIKE}. "
            "There is no 31 November 2026.",
        ),
        (
            3,
            f"occurred_at '05/13/2026 10:00' is not a date and time like {LIKE}. "
            "There is no month 13: dates are day/month/year.",
        ),
    ]


def test_a_row_of_spaces_is_skipped_like_a_blank_row(quality_director, provider, elm_house):
    job = import_incidents(
        upload(f"{HEADER}\nS-1,Elm House,05/11/2026 10:00,fall\n , , , \n\t,,,\n"), provider, quality_director
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert job.created_count == 1


def test_a_file_of_the_other_kind_says_which_to_choose(quality_director, provider, elm_house):
    """Found by a tester: a care-hours file uploaded as incidents (the form's first choice) was told
    "Missing column: source_reference. Missing column: occurred_at. Missing column: theme."."""
    hours = import_incidents(
        upload("service,day,hours\nElm House,07/11/2026,120\n"), provider, quality_director
    )
    assert messages(hours) == [
        (
            1,
            "This looks like a care-hours file (service, day, hours): choose Care hours under “What the "
            "file holds” and upload it again.",
        )
    ]
    incidents = import_care_hours(
        upload(f"{HEADER}\nS-1,Elm House,05/11/2026 10:00,fall\n"), provider, quality_director
    )
    assert messages(incidents)[0][1].startswith("This looks like an incidents file")


def test_a_time_the_clocks_skipped_is_refused_by_its_line(quality_director, provider, elm_house):
    """Tester 17 (L8): 01:06, 01:23, 01:40 and 01:57 on 30 March 2025, times that never happened in the
    UK (the clocks went from 01:00 to 02:00), were all stored as 02:00 without a word. Each is refused
    by its line, and nothing of the file is saved."""
    job = import_incidents(
        upload(f"{HEADER}\nGAP-1,Elm House,2025-03-30 01:06,fall\nGAP-2,Elm House,30/03/2025 02:30,fall\n"),
        provider,
        quality_director,
    )
    assert messages(job) == [
        (
            2,
            "occurred_at '2025-03-30 01:06' did not happen in the UK: the clocks went forward from 01:00 to "
            "02:00 that night. Enter the time the clock showed, 02:00 or later.",
        )
    ]
    assert not Incident.objects.exists()
