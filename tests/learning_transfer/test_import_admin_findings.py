"""The provider administrator's findings about importing: everyone who may import finds the import page
from their dashboard; the list of recent imports says when a file changed nothing, and the incident
list's filter tells same-named imports apart; a file that is not text is refused as such, and a
description has a limit, on the import and on the form."""

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning_transfer import imports
from learning_transfer.choices import ImportKind, ImportStatus
from learning_transfer.models import ImportJob, Incident
from learning_transfer.models.incidents import DESCRIPTION_MAX_LENGTH
from learning_transfer.services import import_incidents
from providers.choices import Role
from tests.factories import person_with_role

from .conftest import LONDON

pytestmark = pytest.mark.django_db

HEADER = "source_reference,service,occurred_at,theme,description"
IMPORT_PAGE = reverse("learning_transfer:import")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def csv_upload(rows: list[str], name: str = "good_incidents.csv"):
    return SimpleUploadedFile(name, "\n".join([HEADER, *rows]).encode(), content_type="text/csv")


# Finding 1: a link to the import page on the dashboard of everyone who may import ---------------


@pytest.mark.parametrize(
    "role",
    [Role.PROVIDER_ADMINISTRATOR, Role.GOVERNANCE_OFFICER, Role.PERFORMANCE_ANALYST, Role.QUALITY_DIRECTOR],
)
def test_everyone_who_may_import_finds_the_import_page_on_their_dashboard(client, sign_in, provider, role):
    person = person_with_role(role, provider=provider)
    sign_in(person)
    page = client.get(reverse("dashboard", args=[role]))
    assert page.status_code == 200
    assert f'href="{IMPORT_PAGE}"' in page.text
    assert client.get(IMPORT_PAGE).status_code == 200  # the link leads to a page they may open


def test_a_person_who_may_not_import_is_offered_no_link(client, sign_in, registered_manager):
    sign_in(registered_manager)
    page = client.get(reverse("dashboard", args=[Role.REGISTERED_MANAGER]))
    assert page.status_code == 200
    assert f'href="{IMPORT_PAGE}"' not in page.text


# Finding 2: a re-upload that changed nothing says so, and same-named imports can be told apart ---


def test_recent_imports_say_nothing_changed_for_a_file_imported_again(
    client, sign_in, provider, elm_house, quality_director
):
    rows = ["A-1,Elm House,2026-10-01 10:00,fall,", "A-2,Elm House,2026-10-02 10:00,fall,"]
    first = import_incidents(csv_upload(rows), provider, quality_director)
    again = import_incidents(csv_upload(rows), provider, quality_director)
    assert first.status == again.status == ImportStatus.SUCCEEDED
    sign_in(quality_director)
    recent = {job.pk: job for job in client.get(IMPORT_PAGE).context["recent_jobs"]}
    assert recent[first.pk].result == "Imported"
    assert recent[again.pk].result == "Nothing changed"
    page = client.get(IMPORT_PAGE).text
    assert page.count("Nothing changed") == 1 and "Imported" in page


def test_the_incident_filter_tells_same_named_imports_apart(
    client, sign_in, provider, elm_house, quality_director
):
    first = import_incidents(csv_upload(["A-1,Elm House,2026-10-01 10:00,fall,"]), provider, quality_director)
    second = import_incidents(
        csv_upload(["A-2,Elm House,2026-10-02 10:00,fall,"]), provider, quality_director
    )
    unchanged = import_incidents(
        csv_upload(["A-2,Elm House,2026-10-02 10:00,fall,"]), provider, quality_director
    )
    sign_in(quality_director)
    form = client.get(reverse("learning_transfer:incident_list")).context["filter_form"]
    labels = {int(value.value): label for value, label in form.fields["import_job"].choices if value}
    assert set(labels) == {first.pk, second.pk}  # a file that changed nothing lists no incidents
    assert unchanged.pk not in labels
    assert labels[first.pk] != labels[second.pk]
    assert f"import {first.pk}" in labels[first.pk] and "1 new" in labels[first.pk]


# Finding 3: a file that is not text, and a description without a limit ---------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
        bytes(range(256)) * 4,
    ],
    ids=["pdf", "zip", "binary"],
)
def test_a_file_that_is_not_text_is_refused_as_not_a_csv(client, sign_in, quality_director, content):
    with pytest.raises(imports.ImportFileError, match="not a CSV file"):
        imports.read_table(content, "incidents.csv")
    sign_in(quality_director)
    response = client.post(
        IMPORT_PAGE, {"kind": ImportKind.INCIDENTS, "file": SimpleUploadedFile("incidents.csv", content)}
    )
    assert response.status_code == 200  # refused on the form, before anything is stored
    assert "not a CSV file" in response.text and "CSV UTF-8" in response.text
    assert not ImportJob.objects.exists()


def test_a_stray_null_character_in_a_text_file_is_still_reported_by_line():
    """One NUL in a cell is a mistake in a real CSV, reported where it is, not the whole file refused."""
    frame = imports.read_table(f"{HEADER}\nA-1,Elm House,2026-10-01 10:00,fall,Fou\x00nd\n".encode(), "a.csv")
    assert frame.iloc[0]["description"] == "Fou\x00nd"


def test_a_description_over_the_limit_is_reported_by_line(provider, elm_house, quality_director):
    long = "x" * (DESCRIPTION_MAX_LENGTH + 1)
    rows = [
        "A-1,Elm House,2026-10-01 10:00,fall," + "y" * DESCRIPTION_MAX_LENGTH,
        f"A-2,Elm House,2026-10-02 10:00,fall,{long}",
    ]
    job = import_incidents(csv_upload(rows), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert [(e["line"], e["message"]) for e in job.errors] == [
        (3, f"description is longer than {DESCRIPTION_MAX_LENGTH:,} characters.")
    ]
    assert not Incident.objects.exists()


def test_the_form_refuses_a_description_over_the_limit_and_keeps_it(
    client, sign_in, elm_house, quality_director
):
    sign_in(quality_director)
    long = "x" * (DESCRIPTION_MAX_LENGTH + 1)
    response = client.post(
        reverse("learning_transfer:incident_add"),
        {
            "service": elm_house.pk,
            "source_reference": "BY-HAND",
            "occurred_at": "2026-10-01T10:00",
            "theme": "fall",
            "harm_level": "none",
            "people_affected": "1",
            "description": long,
        },
    )
    assert response.status_code == 200
    assert not Incident.objects.exists()
    errors = response.context["form"].errors
    assert errors["description"] == [
        f"Shorten the description to {DESCRIPTION_MAX_LENGTH} characters or fewer "
        f"(it has {DESCRIPTION_MAX_LENGTH + 1})."
    ]
    textarea = response.text.split('name="description"')[0].rsplit("<textarea", 1)[1]
    assert "maxlength" not in textarea  # a pasted text is not cut short without a word
    assert long in response.text  # and is kept, to be shortened


def test_the_model_refuses_a_description_over_the_limit(elm_house):
    incident = Incident(
        service=elm_house,
        source_reference="X",
        occurred_at=datetime(2026, 10, 1, 10, tzinfo=LONDON),
        theme="fall",
        description="x" * (DESCRIPTION_MAX_LENGTH + 1),
    )
    with pytest.raises(Exception, match="Shorten the description"):
        incident.full_clean()
