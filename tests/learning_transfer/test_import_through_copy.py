"""On PostgreSQL an import is copied into a staging table and merged set-based. It must leave exactly
what the row-by-row path leaves (still used on SQLite): the same incidents and care hours, the same
history rows (who, when, why, '+' or '~'), the same counts, and the import each incident came from.
Importing a file again changes nothing, however many times."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from learning_transfer.choices import ImportStatus
from learning_transfer.models import CareHours, Incident
from learning_transfer.services import copy_merge, import_care_hours, import_incidents

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"),
]

HEADER = (
    "source_reference,service,occurred_at,theme,harm_level,safeguarding_concern,"
    "regulatory_notification,people_affected,description"
)
# Cells COPY must carry unchanged: a tab, quotes, a backslash, a line break, accents, an empty
# description; times either side of both clock changes; a theme given by its label.
FIRST_INCIDENTS = f"""{HEADER}
A-1,Elm House,2026-03-29 02:30,fall,low,no,no,1,"Tab\there, a ""quote"", back\\slash"
A-2,Birch Lodge,2026-10-25 01:30,Medication error,,yes,yes,3,"Two
lines"
A-3,Elm House,02/11/2026 22:05,fall,none,no,no,,
A-4,Elm House,2026-11-02 10:00:07,fall,none,no,no,1,Café – naïve ✓
A-5,Birch Lodge,2026-11-03 08:00,fall,none,no,no,1,\\N
"""
# as before; A-2 more harm, A-3 a description, A-5 a later time; A-6 is new.
SECOND_INCIDENTS = f"""{HEADER}
A-1,Elm House,2026-03-29 02:30,fall,low,no,no,1,"Tab\there, a ""quote"", back\\slash"
A-2,Birch Lodge,2026-10-25 01:30,Medication error,severe,yes,yes,3,"Two
lines"
A-3,Elm House,02/11/2026 22:05,fall,none,no,no,,Now described
A-4,Elm House,2026-11-02 10:00:07,fall,none,no,no,1,Café – naïve ✓
A-5,Birch Lodge,2026-11-03 08:01,fall,none,no,no,1,\\N
A-6,Elm House,2026-11-04 09:00,pressure_ulcer,moderate,no,yes,2,New
"""
FIRST_HOURS = (
    "service,day,hours\nElm House,2026-11-01,742.5\nElm House,2026-11-02,0\nBirch Lodge,2026-11-01,12.345\n"
)
SECOND_HOURS = (
    "service,day,hours\nElm House,2026-11-01,742.50\nElm House,2026-11-02,8\nBirch Lodge,2026-11-02,24\n"
)
INCIDENT_FIELDS = copy_merge.INCIDENTS.compared
FROZEN = datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(text: str, name: str):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def copied(monkeypatch):
    """Counts the chunks saved through COPY, to prove which way a run went."""
    chunks = []
    save_chunk = copy_merge.save_chunk
    monkeypatch.setattr(copy_merge, "save_chunk", lambda *a, **k: chunks.append(1) or save_chunk(*a, **k))
    return chunks


def incidents_and_history() -> dict:
    """Everything an incident import leaves, keyed by service and reference rather than by id."""
    keys = {
        pk: (service, ref)
        for pk, service, ref in Incident.objects.values_list("pk", "service__name", "source_reference")
    }
    incidents = Incident.objects.values_list(
        "service__name", "source_reference", *INCIDENT_FIELDS, "import_job__original_name"
    )
    history = Incident.history.values_list(
        "id",
        *INCIDENT_FIELDS,
        "import_job__original_name",
        "history_type",
        "history_date",
        "history_user__username",
        "history_change_reason",
    )
    return {
        "incidents": sorted(incidents),
        "history": sorted((keys[row[0]], *row[1:]) for row in history),
    }


def hours_and_history() -> dict:
    return {
        "hours": sorted(CareHours.objects.values_list("service__name", "day", "hours")),
        "history": sorted(
            CareHours.history.values_list(
                "service__name",
                "day",
                "hours",
                "history_type",
                "history_date",
                "history_user__username",
                "history_change_reason",
            )
        ),
    }


def run(monkeypatch, importer, files, snapshot, *, copy: bool):
    """Import the files in turn (through COPY or row by row) and return what they left and the jobs'
    counts; everything is rolled back afterwards, so both ways start from the same data."""
    with monkeypatch.context() as patch, time_machine.travel(FROZEN, tick=False):
        if not copy:
            patch.setattr(copy_merge, "available", lambda: False)
        with transaction.atomic():
            jobs = [importer(upload(text, name)) for name, text in files]
            assert [job.status for job in jobs] == [ImportStatus.SUCCEEDED] * len(jobs)
            left = snapshot() | {
                "counts": [(j.created_count, j.updated_count, j.unchanged_count) for j in jobs]
            }
            transaction.set_rollback(True)
    return left


def test_an_incident_file_leaves_the_same_rows_and_history_either_way(
    monkeypatch, copied, provider, elm_house, birch_lodge, quality_director
):
    files = [
        ("first.csv", FIRST_INCIDENTS),
        ("second.csv", SECOND_INCIDENTS),
        ("again.csv", SECOND_INCIDENTS),
    ]

    def importer(file):
        return import_incidents(file, provider, quality_director)

    row_by_row = run(monkeypatch, importer, files, incidents_and_history, copy=False)
    assert copied == []
    through_copy = run(monkeypatch, importer, files, incidents_and_history, copy=True)
    assert len(copied) == 3

    assert through_copy == row_by_row
    assert through_copy["counts"] == [(5, 0, 0), (1, 3, 2), (0, 0, 6)]
    described = dict(((s, r), d) for s, r, *_, d, _job in through_copy["incidents"])
    assert described[("Elm House", "A-1")] == 'Tab\there, a "quote", back\\slash'
    assert described[("Birch Lodge", "A-2")] == "Two\nlines"
    assert described[("Birch Lodge", "A-5")] == "\\N"  # text, not a database NULL
    assert described[("Elm House", "A-4")] == "Café – naïve ✓"
    # An incident names the import that made or last changed it.
    made_by = {(s, r): job for s, r, *_, job in through_copy["incidents"]}
    assert made_by[("Elm House", "A-1")] == "first.csv" and made_by[("Birch Lodge", "A-2")] == "second.csv"
    assert made_by[("Elm House", "A-6")] == "second.csv"
    kinds = [(key, kind, user, why) for key, *_, kind, _when, user, why in through_copy["history"]]
    assert (("Birch Lodge", "A-2"), "~", quality_director.username, "Imported from second.csv") in kinds
    assert len(kinds) == 5 + 4


def test_a_care_hours_file_leaves_the_same_rows_and_history_either_way(
    monkeypatch, copied, provider, elm_house, birch_lodge, quality_director
):
    files = [("first.csv", FIRST_HOURS), ("second.csv", SECOND_HOURS), ("again.csv", SECOND_HOURS)]

    def importer(file):
        return import_care_hours(file, provider, quality_director)

    row_by_row = run(monkeypatch, importer, files, hours_and_history, copy=False)
    through_copy = run(monkeypatch, importer, files, hours_and_history, copy=True)
    assert len(copied) == 3
    assert through_copy == row_by_row
    assert through_copy["counts"] == [(3, 0, 0), (1, 1, 1), (0, 0, 3)]


def test_importing_the_same_file_again_and_again_changes_nothing(
    copied, provider, elm_house, birch_lodge, quality_director
):
    first = import_incidents(upload(FIRST_INCIDENTS, "first.csv"), provider, quality_director)
    before = incidents_and_history()
    for _ in range(2):
        again = import_incidents(upload(FIRST_INCIDENTS, "first.csv"), provider, quality_director)
        assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 5)
        assert incidents_and_history() == before  # no row, no history, still made by the first import
    assert set(Incident.objects.values_list("import_job", flat=True)) == {first.pk}
    assert len(copied) == 3


def test_a_row_imported_again_unchanged_is_neither_locked_nor_rewritten(
    provider, elm_house, birch_lodge, quality_director
):
    # ON CONFLICT locks every row it finds, even one it leaves as it is, and a lock is written into
    # the row's page: a rolling export repeating last month's rows would rewrite all their pages.
    def versions():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT source_reference, ctid::text, xmin::text, xmax::text FROM {Incident._meta.db_table}"
            )
            return sorted(cursor.fetchall())

    import_incidents(upload(FIRST_INCIDENTS, "first.csv"), provider, quality_director)
    before = versions()
    again = import_incidents(upload(FIRST_INCIDENTS, "again.csv"), provider, quality_director)
    assert again.unchanged_count == 5
    assert versions() == before
    changed = import_incidents(upload(SECOND_INCIDENTS, "second.csv"), provider, quality_director)
    assert (changed.created_count, changed.updated_count, changed.unchanged_count) == (1, 3, 2)
    moved = {ref for (ref, *version) in versions() if (ref, *version) not in before}
    assert moved == {"A-2", "A-3", "A-5", "A-6"}  # the changed rows and the new one, no other


def kept_figures() -> dict:
    """What imports keep current besides the rows: the daily roll-up and the review flags."""
    from learning_transfer.models import ReviewFlag, ServiceDay

    return {
        "days": sorted(ServiceDay.objects.values_list("service__name", "day", "incidents", "care_hours")),
        "flags": sorted(ReviewFlag.objects.values_list("incident__source_reference", *_flag_fields())),
    }


def _flag_fields() -> list[str]:
    from learning_transfer.models import ReviewFlag

    return [f.attname for f in ReviewFlag._meta.concrete_fields if f.attname not in ("id", "incident_id")]


@pytest.mark.parametrize("copy", [True, False], ids=["through COPY", "row by row"])
def test_a_file_imported_again_recounts_nothing_and_a_changed_row_recounts_its_days(
    monkeypatch, copy, provider, elm_house, birch_lodge, quality_director
):
    """Staff re-upload the same export (or one that overlaps the last): only what the file changed
    is counted again, so an unchanged file costs the check and the merge, not the recount."""
    from learning_transfer.services.rollup import refresh_provider

    if not copy:
        monkeypatch.setattr(copy_merge, "available", lambda: False)
    import_incidents(upload(FIRST_INCIDENTS, "first.csv"), provider, quality_director)
    again = import_incidents(upload(FIRST_INCIDENTS, "again.csv"), provider, quality_director)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 5)
    assert not {"roll-up", "trend", "review flags"} & again.phases.seconds.keys()

    changed = import_incidents(upload(SECOND_INCIDENTS, "second.csv"), provider, quality_director)
    assert {"roll-up", "trend", "review flags"} <= changed.phases.seconds.keys()
    kept = kept_figures()
    refresh_provider(provider)  # everything counted afresh from the first incident on record
    assert kept_figures() == kept
