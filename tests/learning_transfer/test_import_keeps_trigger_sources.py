"""An incident import never rewrites what a serious failure rests on: a row that would change the
incident a learning trigger was logged from is a problem on its line, and the file imports nothing.
The same file of unchanged values imports as usual, and an import's change to any other incident
keeps the value it replaces in the incident's history. On PostgreSQL the file is saved through COPY
(copy_merge), on SQLite through the ORM: both must behave the same, so this file runs on both."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning_transfer.choices import HarmLevel, ImportStatus, IncidentTheme
from learning_transfer.models import Incident, LearningTrigger
from learning_transfer.services import copy_merge, import_incidents

pytestmark = pytest.mark.django_db

HEADER = (
    "source_reference,service,occurred_at,theme,harm_level,safeguarding_concern,"
    "regulatory_notification,people_affected,description"
)
AS_RECORDED = "SERIOUS-1,Elm House,2026-11-17 02:10,fall,severe,no,yes,1,Found on the floor at 03:40"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(*rows: str):
    text = "\n".join([HEADER, *rows]) + "\n"
    return SimpleUploadedFile("export.csv", text.encode("utf-8"), content_type="text/csv")


def messages(job):
    return [(e["line"], e["message"]) for e in job.errors]


@pytest.fixture
def copied(monkeypatch):
    """Counts the chunks saved through COPY, to prove which way an import went."""
    chunks = []
    save_chunk = copy_merge.save_chunk
    monkeypatch.setattr(copy_merge, "save_chunk", lambda *a, **k: chunks.append(1) or save_chunk(*a, **k))
    return chunks


@pytest.fixture
def serious_fall(falls_provider, quality_director):
    """The severe fall at Elm House, notified to CQC, imported like any other incident."""
    job = import_incidents(upload(AS_RECORDED), falls_provider["elm"].provider, quality_director)
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    return Incident.objects.get(source_reference="SERIOUS-1")


@pytest.fixture
def trigger(log_falls_trigger, serious_fall):
    """The serious failure logged from that incident."""
    return log_falls_trigger(source_incident=serious_fall)


def test_an_import_cannot_downgrade_the_incident_behind_a_trigger(
    trigger, serious_fall, provider, quality_director
):
    job = import_incidents(
        upload(
            "SERIOUS-1,Elm House,2026-11-17 02:10,fall,none,no,no,1,Found on the floor at 03:40",
            "NEW-1,Elm House,2026-11-20 09:00,fall,low,no,no,1,A new incident",
        ),
        provider,
        quality_director,
    )
    assert job.status == ImportStatus.REJECTED
    assert messages(job) == [
        (
            2,
            f"Incident SERIOUS-1 at Elm House is the source of serious failure {trigger.reference}; an "
            "import cannot change its harm level (severe → none) or its regulatory notification "
            "(yes → no). Take the row out of the file, or give it the values the incident has here.",
        )
    ]
    serious_fall.refresh_from_db()
    assert (serious_fall.harm_level, serious_fall.regulatory_notification) == (HarmLevel.SEVERE, True)
    assert not Incident.objects.filter(source_reference="NEW-1").exists()  # a bad file imports nothing


def test_the_problem_names_every_fact_that_would_change(trigger, serious_fall, provider, quality_director):
    job = import_incidents(
        upload("SERIOUS-1,Elm House,2026-11-17 03:10,medication,severe,yes,yes,2,Found on the floor"),
        provider,
        quality_director,
    )
    assert messages(job) == [
        (
            2,
            f"Incident SERIOUS-1 at Elm House is the source of serious failure {trigger.reference}; an "
            "import cannot change when it happened (Tue 17 Nov 2026, 02:10 → Tue 17 Nov 2026, 03:10), its "
            "theme (Fall → Medication error), its safeguarding concern (no → yes), the number of people "
            "affected (1 → 2) or its description. Take the row out of the file, or give it the values "
            "the incident has here.",
        )
    ]


def test_the_same_values_again_import_as_unchanged(trigger, serious_fall, provider, quality_director):
    job = import_incidents(
        upload(AS_RECORDED, "NEW-1,Elm House,2026-11-20 09:00,fall,low,no,no,1,A new incident"),
        provider,
        quality_director,
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 0, 1)


def test_the_problem_is_listed_with_the_files_other_problems_in_line_order(
    trigger, serious_fall, provider, quality_director
):
    job = import_incidents(
        upload(
            "NEW-1,Elm House,2026-11-20 09:00,slip,low,no,no,1,Unknown theme",
            "SERIOUS-1,Elm House,2026-11-17 02:10,fall,moderate,no,yes,1,Found on the floor at 03:40",
            "NEW-2,Nowhere,2026-11-20 09:00,fall,low,no,no,1,Unknown service",
        ),
        provider,
        quality_director,
    )
    assert [line for line, _ in messages(job)] == [2, 3, 4]
    assert messages(job)[1][1].startswith(
        f"Incident SERIOUS-1 at Elm House is the source of serious failure {trigger.reference}; an "
        "import cannot change its harm level (severe → moderate)."
    )


def test_an_incident_of_the_same_reference_at_another_service_is_not_the_source(
    trigger, serious_fall, provider, quality_director
):
    job = import_incidents(
        upload("SERIOUS-1,Ash Grove,2026-11-17 02:10,fall,none,no,no,1,Another home's own numbering"),
        provider,
        quality_director,
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert job.created_count == 1


def test_the_sources_are_found_in_one_query_however_long_the_file(trigger, provider, quality_director):
    rows = [f"ROW-{n},Elm House,2026-11-20 09:{n:02d},fall,low,no,no,1,x" for n in range(50)]
    rows.append("SERIOUS-1,Elm House,2026-11-17 02:10,fall,none,no,yes,1,Found on the floor at 03:40")
    with CaptureQueriesContext(connection) as queries:
        job = import_incidents(upload(*rows), provider, quality_director)
    assert [line for line, _ in messages(job)] == [52]
    table = LearningTrigger._meta.db_table
    assert len([q for q in queries.captured_queries if table in q["sql"]]) == 1


def test_an_imported_change_to_another_incident_keeps_its_history(
    elm_house, provider, quality_director, copied
):
    first = "ORD-1,Elm House,2026-11-20 09:00,fall,low,no,no,1,Slipped in the lounge"
    import_incidents(upload(first), provider, quality_director)
    job = import_incidents(upload(first.replace(",low,", ",moderate,")), provider, quality_director)
    assert (job.status, job.updated_count) == (ImportStatus.SUCCEEDED, 1)
    latest, before = Incident.objects.get(source_reference="ORD-1").history.all()[:2]
    assert (latest.history_type, latest.harm_level, before.harm_level) == ("~", "moderate", "low")
    assert latest.history_user == quality_director
    assert latest.history_change_reason == f"Imported from {job.original_name}"
    # On PostgreSQL both imports went through COPY and its set-based history.
    assert len(copied) == (2 if connection.vendor == "postgresql" else 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_on_postgresql_an_unchanged_source_goes_through_copy_and_a_changed_one_is_refused(
    trigger, serious_fall, provider, quality_director, copied
):
    kept = import_incidents(upload(AS_RECORDED), provider, quality_director)
    assert (kept.status, kept.unchanged_count, len(copied)) == (ImportStatus.SUCCEEDED, 1, 1)
    refused = import_incidents(
        upload(AS_RECORDED.replace(",fall,", f",{IncidentTheme.MEDICATION},")), provider, quality_director
    )
    assert refused.status == ImportStatus.REJECTED
    assert "its theme (Fall → Medication error)" in refused.errors[0]["message"]
    assert len(copied) == 1  # nothing of the refused file reached the merge
    assert Incident.objects.get(source_reference="SERIOUS-1").history.count() == 1
