"""An import's refusals say what to do next: a semicolon file is named as one, thousands separators are
read as Excel writes them, a date names both formats, a theme is offered by its plain name, and a wrong
kind of file says how to save the right one (tester 2, findings 12 to 16)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning_transfer import import_columns
from learning_transfer.choices import ImportStatus
from learning_transfer.models import CareHours
from learning_transfer.services import import_care_hours, import_incidents

pytestmark = pytest.mark.django_db

HEADER = "source_reference,service,occurred_at,theme,harm_level,safeguarding_concern,people_affected"
WRONG_TYPE = (
    "The file must be a .csv or .xlsx file. In Excel choose File › Save As › Excel Workbook (.xlsx) or "
    "CSV UTF-8 (.csv), then upload that."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(text: str, name: str = "file.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def messages(job) -> list[tuple[int, str]]:
    return [(e["line"], e["message"]) for e in job.errors]


def test_a_semicolon_file_is_named_as_one_once(quality_director, provider, elm_house):
    text = HEADER.replace(",", ";") + "\nT2-1;Elm House;2026-01-05 14:30;fall;low;no;1\n"
    job = import_incidents(upload(text), provider, quality_director)
    assert messages(job) == [
        (
            1,
            "The file seems to use semicolons (;) between columns. Save it as “CSV UTF-8 (comma "
            "delimited)” and upload it again.",
        )
    ]


def test_a_semicolon_file_with_commas_in_its_cells_is_still_named_as_one(
    quality_director, provider, elm_house
):
    """Before, a comma in a description made it 'more values than the header has columns'."""
    text = HEADER.replace(",", ";") + ";description\nT2-1;Elm House;2026-01-05 14:30;fall;low;no;1;a, b\n"
    job = import_incidents(upload(text), provider, quality_director)
    assert [line for line, _ in messages(job)] == [1]
    assert "semicolons (;)" in messages(job)[0][1]


def test_hours_with_a_thousands_separator_are_read_as_excel_writes_them(
    quality_director, provider, elm_house
):
    text = 'service,day,hours\nElm House,2026-01-05,"1,200"\nElm House,2026-01-06,"12,345.5"\n'
    job = import_care_hours(upload(text), provider, quality_director)
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert sorted(float(h) for h in CareHours.objects.values_list("hours", flat=True)) == [1200.0, 12345.5]


def test_a_comma_that_is_not_a_thousands_separator_is_explained(quality_director, provider, elm_house):
    text = 'service,day,hours\nElm House,2026-01-05,"742,5"\nElm House,2026-01-06,"1,20,0"\n'
    job = import_care_hours(upload(text), provider, quality_director)
    hint = "use a full stop for decimals (742.5) and commas only between thousands (1,200)."
    assert messages(job) == [
        (2, f"hours '742,5' is not a number: {hint}"),
        (3, f"hours '1,20,0' is not a number: {hint}"),
    ]


def test_a_bad_date_names_both_formats_and_a_short_year_asks_for_four_digits(
    quality_director, provider, elm_house
):
    text = f"{HEADER}\nA-1,Elm House,01/13/2026 14:30,fall,,,1\nA-2,Elm House,05/01/26 14:30,fall,,,1\n"
    job = import_incidents(upload(text), provider, quality_director)
    like = "is not a date and time like 2026-11-02 14:30 or 02/11/2026 14:30."
    assert messages(job) == [
        (2, f"occurred_at '01/13/2026 14:30' {like} There is no month 13: dates are day/month/year."),
        (3, f"occurred_at '05/01/26 14:30' {like} Use a four-digit year (2026)."),
    ]


def test_a_bad_day_names_both_formats(quality_director, provider, elm_house):
    job = import_care_hours(upload("service,day,hours\nElm House,5/1/26,10\n"), provider, quality_director)
    assert messages(job) == [
        (2, "day '5/1/26' is not a date like 2026-11-02 or 02/11/2026. Use a four-digit year (2026).")
    ]


def test_an_unknown_theme_offers_the_plain_names_the_page_shows(quality_director, provider, elm_house):
    job = import_incidents(
        upload(f"{HEADER}\nA-1,Elm House,2026-01-05 14:30,Slip,,,1\n"), provider, quality_director
    )
    (line, message), *_ = messages(job)
    assert message.startswith(
        "Unknown theme 'Slip'. Use one of: Fall (fall), Medication error (medication), "
        "Pressure ulcer or wound (pressure_ulcer),"
    )
    theme_column = next(c for c in import_columns.INCIDENT_COLUMNS if c.name == "theme")
    assert "Fall (fall), Medication error (medication)" in theme_column.description  # the same list


@pytest.mark.parametrize("name", ["old.xls", "export.txt"])
def test_a_wrong_kind_of_file_says_how_to_save_the_right_one(quality_director, provider, name):
    job = import_incidents(SimpleUploadedFile(name, b"\xd0\xcf\x11\xe0garbage"), provider, quality_director)
    assert messages(job) == [(1, WRONG_TYPE)]


def test_the_upload_form_refuses_a_wrong_kind_of_file_the_same_way(
    client, sign_in, quality_director, provider
):
    sign_in(quality_director)
    response = client.post(
        reverse("learning_transfer:import"),
        {"kind": "incidents", "file": SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0")},
    )
    assert response.status_code == 200
    assert "File › Save As › Excel Workbook (.xlsx)" in response.text
