"""A column a file does not hold leaves what is on record alone.

Found by a tester: an incident imported with its harm, safeguarding concern, CQC notification, people
affected and description was imported again from a later export holding only the required columns. The
result said "1 updated", and the incident was now "no harm", no safeguarding concern, not notified, one
person, no description: it dropped out of the incidents needing a formal review. The optional columns'
defaults are for a new incident only; an empty cell in a column the file does hold still means "none".
On PostgreSQL the file is saved through COPY (copy_merge), on SQLite through the ORM: this runs on both.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learning_transfer.choices import HarmLevel, ImportStatus
from learning_transfer.models import Incident
from learning_transfer.services import import_incidents

pytestmark = pytest.mark.django_db

FULL = (
    "source_reference,service,occurred_at,theme,harm_level,safeguarding_concern,regulatory_notification,"
    "people_affected,description\n"
    "T8Z-1,Elm House,05/11/2026 10:00,choking,low,yes,yes,3,Two residents choked at lunch\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(text: str):
    return SimpleUploadedFile("export.csv", text.encode("utf-8"), content_type="text/csv")


def facts(incident):
    incident.refresh_from_db()
    return (
        incident.harm_level,
        incident.safeguarding_concern,
        incident.regulatory_notification,
        incident.people_affected,
        incident.description,
    )


@pytest.fixture
def choking(falls_provider, quality_director):
    job = import_incidents(upload(FULL), falls_provider["elm"].provider, quality_director)
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    incident = Incident.objects.get(source_reference="T8Z-1")
    assert facts(incident) == (HarmLevel.LOW, True, True, 3, "Two residents choked at lunch")
    return incident


def test_a_file_of_the_required_columns_only_changes_nothing_else(choking, provider, quality_director):
    job = import_incidents(
        upload("Source Reference,Service,Occurred At,Theme\nT8Z-1,Elm House,05/11/2026 10:00,choking\n"),
        provider,
        quality_director,
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 1)
    assert facts(choking) == (HarmLevel.LOW, True, True, 3, "Two residents choked at lunch")


def test_a_column_it_holds_is_saved_and_the_others_kept(choking, provider, quality_director):
    job = import_incidents(
        upload(
            "source_reference,service,occurred_at,theme,harm_level,description\n"
            "T8Z-1,Elm House,05/11/2026 10:00,choking,moderate,\n"
            "NEW-1,Elm House,06/11/2026 09:00,fall,,\n"
        ),
        provider,
        quality_director,
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert (job.created_count, job.updated_count) == (1, 1)
    # An empty cell in a column the file holds says "none": the description is cleared on purpose.
    assert facts(choking) == (HarmLevel.MODERATE, True, True, 3, "")
    new = Incident.objects.get(source_reference="NEW-1")
    assert facts(new) == (HarmLevel.NONE, False, False, 1, ""), "a new incident takes the defaults"
