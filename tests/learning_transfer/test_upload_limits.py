"""Bounded input: a file too large, a workbook that unpacks to far more than it weighs (a zip bomb) and
a file with too many rows are refused with a clear message, and leave no job and no file behind."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning_transfer import import_columns, services
from learning_transfer.choices import ImportKind, ImportStatus
from learning_transfer.models import ImportJob, Incident
from tests.signing_in import signed_in

from .test_import_limits import HEADER, incident_lines

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media) -> list[Path]:
    return [path for path in Path(media).rglob("*") if path.is_file()]


def zip_bomb() -> bytes:
    """A real workbook whose sheet is padded to 57 MB of XML: about 60 KB on disk."""
    template = zipfile.ZipFile(io.BytesIO(import_columns.template_xlsx(ImportKind.INCIDENTS)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in template.infolist():
            content = template.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</worksheet>", b" " * 57_000_000 + b"</worksheet>")
            bomb.writestr(member, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def post_import(client, person, name: str, content: bytes, content_type="text/csv"):
    signed_in(client, person)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("learning_transfer:import"), {"kind": ImportKind.INCIDENTS, "file": upload})


def test_a_zip_bomb_is_refused_on_the_form_before_it_is_opened(client, quality_director, provider, media):
    bomb = zip_bomb()
    assert len(bomb) < 200_000
    response = post_import(client, quality_director, "incidents.xlsx", bomb, XLSX)
    assert response.status_code == 200  # the form again, with the field's error
    [error] = response.context["form"].errors["file"]
    assert error.startswith("The workbook unpacks to 54 MB (")
    assert "Save it as .csv and upload that instead." in error
    assert ImportJob.objects.count() == 0 and stored_files(media) == []


def test_a_csv_over_the_size_cap_is_refused_on_the_form(client, quality_director, provider, media, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    content = "\n".join([HEADER, *incident_lines(60_000)]).encode()  # about 2.9 MB
    response = post_import(client, quality_director, "incidents.csv", content)
    assert response.status_code == 200  # the form again, with the field's error
    assert response.context["form"].errors["file"] == [
        "The file is 3 MB; at most 2 MB can be imported at once. "
        "Split it into smaller files (by month, or by service)."
    ]
    assert ImportJob.objects.count() == 0 and stored_files(media) == []


def test_the_import_page_states_the_limits_before_anyone_uploads(client, quality_director, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 50_000
    page = signed_in(client, quality_director).get(reverse("learning_transfer:import")).text
    assert "up to 10.0\xa0MB and 50,000 rows" in page


def test_the_default_caps_fit_a_large_providers_year_of_rows(settings):
    assert settings.IMPORT_MAX_UPLOAD_BYTES == 25 * 1024 * 1024
    assert settings.IMPORT_MAX_ROWS == 200_000  # 500 services x 365 days of care hours fit


def test_a_file_over_the_row_cap_is_rejected_and_its_file_removed(
    quality_director, provider, elm_house, settings, media
):
    settings.IMPORT_MAX_ROWS = 100
    content = "\n".join([HEADER, *incident_lines(101)]).encode()
    job = services.import_incidents(SimpleUploadedFile("big.csv", content), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert job.errors == [
        {
            "line": 1,
            "message": "The file has more than 100 rows, the most imported at once. "
            "Split it into smaller files (by month, or by service).",
        }
    ]
    assert Incident.objects.count() == 0 and stored_files(media) == []


def test_a_rejected_file_is_not_kept(quality_director, provider, elm_house, media):
    content = f"{HEADER}\nINC-1,Nowhere House,2026-11-02 10:00,fall,low,no,1\n".encode()
    job = services.import_incidents(SimpleUploadedFile("bad.csv", content), provider, quality_director)
    assert job.status == ImportStatus.REJECTED and job.errors  # the job keeps every problem
    assert stored_files(media) == [] and not job.file


def test_a_workbook_that_unpacks_beyond_the_inline_size_is_read_only_by_the_worker(
    quality_director, provider, elm_house, settings, django_capture_on_commit_callbacks
):
    frame = import_columns.template(ImportKind.INCIDENTS)
    buffer = io.BytesIO()
    frame.loc[frame.index.repeat(3000)].assign(source_reference=[f"XL-{n}" for n in range(3000)]).to_excel(
        buffer, index=False
    )
    assert len(buffer.getvalue()) < settings.LEARNING_IMPORT_INLINE_MAX_BYTES  # small on disk
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = services.start_import(
            SimpleUploadedFile("many.xlsx", buffer.getvalue()),
            provider=provider,
            kind=ImportKind.INCIDENTS,
            by=quality_director,
        )
    assert job.status == ImportStatus.QUEUED and len(queued) == 1  # not parsed in the request
