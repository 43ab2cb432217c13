"""The example files on the import page show how a file looks; they can never change real data.

A downloaded template holds the header and one example row. Its service cell reads EXAMPLE, not one of
the provider's services, and the import recognises the row by it and refuses the file, naming the
line: a manager who uploads the template unchanged changes nothing. Only the mark counts: a real row
may hold the example's day and hours.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.downloads import FORMULA_STARTS
from learning_transfer import import_columns
from learning_transfer.choices import ImportKind, ImportStatus
from learning_transfer.models import CareHours, Incident
from learning_transfer.services import import_care_hours, import_incidents

pytestmark = pytest.mark.django_db

EXAMPLE_REFUSED = "Line 2 is the example row from the template: delete it and add your own rows."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def csv_upload(text: str, name="file.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def real_figure(birch_lodge):
    """The care hours Birch Lodge really delivered on the example's day."""
    return CareHours.objects.create(service=birch_lodge, day="2026-11-02", hours=Decimal("356.89"))


@pytest.mark.parametrize("kind", [ImportKind.INCIDENTS, ImportKind.CARE_HOURS])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_downloaded_template_uploaded_unchanged_changes_nothing(
    client,
    sign_in,
    quality_director,
    elm_house,
    birch_lodge,
    real_figure,
    kind,
    extension,
    django_capture_on_commit_callbacks,
):
    sign_in(quality_director)
    template = client.get(reverse("learning_transfer:import_template", args=[kind, extension])).content
    for service in (elm_house, birch_lodge):
        assert service.cqc_location_id.encode() not in template and service.name.encode() not in template
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning_transfer:import"),
            {"kind": kind, "file": SimpleUploadedFile(f"{kind}_template.{extension}", template)},
            follow=True,
        )
    assert "Nothing was imported" in response.text
    assert EXAMPLE_REFUSED in response.text
    assert "Unknown service" not in response.text, "one clear message, not a puzzle about the service"
    assert Incident.objects.count() == 0
    real_figure.refresh_from_db()
    assert real_figure.hours == Decimal("356.89") and CareHours.objects.count() == 1


def test_a_row_still_marked_example_is_refused_whatever_else_was_typed(
    quality_director, provider, birch_lodge, real_figure
):
    text = f"service,day,hours\nEXAMPLE,2026-11-03,90\n{birch_lodge.name},2026-11-02,400\n"
    job = import_care_hours(csv_upload(text), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert job.errors == [{"line": 2, "message": EXAMPLE_REFUSED}]
    real_figure.refresh_from_db()
    assert real_figure.hours == Decimal("356.89"), "nothing is saved from a file with the example in it"


def test_own_rows_in_place_of_the_example_import_even_with_the_examples_figures(
    quality_director, provider, birch_lodge, real_figure
):
    text = f"service,day,hours\n{birch_lodge.name},2026-11-02,742.5\n{birch_lodge.name},2026-11-03,400\n"
    job = import_care_hours(csv_upload(text), provider, quality_director)
    assert job.status == ImportStatus.SUCCEEDED and job.created_count == 1 and job.updated_count == 1


@pytest.mark.parametrize("kind", [ImportKind.INCIDENTS, ImportKind.CARE_HOURS])
def test_no_cell_of_a_template_is_run_by_a_spreadsheet(kind):
    frame = import_columns.template(kind)
    cells = [str(name) for name in frame.columns] + [str(cell) for cell in frame.iloc[0]]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert frame.at[0, "service"] == "EXAMPLE"


def test_an_incident_file_with_the_example_row_left_in_adds_nothing_to_the_log(
    quality_director, provider, birch_lodge
):
    header = ",".join(column.name for column in import_columns.INCIDENT_COLUMNS)
    example = ",".join(str(cell) for cell in import_columns.template(ImportKind.INCIDENTS).iloc[0])
    own = f"INC-1,{birch_lodge.name},2026-11-03 09:00,fall,none,no,no,1,Slipped in the lounge."
    job = import_incidents(csv_upload(f"{header}\n{example}\n{own}\n"), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert job.errors == [{"line": 2, "message": EXAMPLE_REFUSED}]
    assert Incident.objects.count() == 0
