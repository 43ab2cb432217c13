"""A bad row is named by the line a person sees in the file, whatever blank lines or stray commas it
holds. Found by a tester: a row after two blank lines was reported two lines early; a first row with
three values too many shifted every column ("Unknown service 'fall'"); a row with one too many gave
"Error tokenizing data. C error: Expected 9 fields in line 3, saw 10" against line 1."""

import pytest

from learning_transfer.choices import ImportStatus
from learning_transfer.models import Incident
from learning_transfer.services import import_incidents

from .test_incident_import import HEADER, messages, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def row(reference, theme="fall"):
    return f"{reference},Elm House,2026-11-02 14:30,{theme},low,no,1,Found on the floor"


def test_blank_lines_do_not_move_the_line_a_bad_row_is_named_by(quality_director, provider, elm_house):
    text = "\n".join([HEADER, row("INC-1"), "", "", row("INC-2", theme="BADTHEME"), ""])
    job = import_incidents(upload(text), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert [line for line, _ in messages(job)] == [5]
    assert "BADTHEME" in messages(job)[0][1]


def test_a_file_with_only_blank_lines_between_good_rows_imports_them(quality_director, provider, elm_house):
    text = "\n".join([HEADER, row("INC-1"), "", row("INC-2"), ""])
    job = import_incidents(upload(text), provider, quality_director)
    assert job.status == ImportStatus.SUCCEEDED and job.created_count == 2


@pytest.mark.parametrize("where", [2, 3])
def test_a_row_with_more_values_than_the_header_is_named_and_nothing_is_saved(
    quality_director, provider, elm_house, where
):
    rows = [row("INC-1"), row("INC-2"), row("INC-3")]
    rows[where - 2] += ",extra,more"
    job = import_incidents(upload("\n".join([HEADER, *rows])), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    said = " ".join(message for _, message in messages(job))
    assert f"line {where} has 10 values" in said and "the header has 8" in said
    assert "tokenizing" not in said and "Unknown service" not in said
    assert not Incident.objects.exists()
