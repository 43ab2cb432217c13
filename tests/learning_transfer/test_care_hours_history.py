"""An import that overwrites a day's care hours keeps the figure it replaced, with who imported which
file: a rate computed last week can still be traced to the hours it used."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning_transfer.models import CareHours
from learning_transfer.services import import_care_hours

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def hours_file(*rows: str, name="hours.csv"):
    text = "service,day,hours\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_an_overwritten_figure_stays_in_the_history(quality_director, provider, elm_house):
    import_care_hours(
        hours_file("Elm House,2026-11-02,742.5", name="october.csv"), provider, quality_director
    )
    import_care_hours(
        hours_file("Elm House,2026-11-02,750", name="corrected.csv"), provider, quality_director
    )
    day = CareHours.objects.get(service=elm_house, day="2026-11-02")
    assert day.hours == Decimal("750.00")
    rows = day.history.order_by("history_date", "history_id")
    assert [(r.hours, r.history_user, r.history_change_reason) for r in rows] == [
        (Decimal("742.50"), quality_director, "Imported from october.csv"),
        (Decimal("750.00"), quality_director, "Imported from corrected.csv"),
    ]


def test_an_unchanged_figure_writes_no_history(quality_director, provider, elm_house):
    import_care_hours(hours_file("Elm House,2026-11-02,742.5"), provider, quality_director)
    import_care_hours(hours_file("Elm House,2026-11-02,742.50"), provider, quality_director)
    assert CareHours.history.count() == 1


def test_the_history_is_written_in_bulk(quality_director, provider, elm_house):
    days = [f"Elm House,2026-10-{day:02d},{day}" for day in range(1, 29)]
    import_care_hours(hours_file(*days), provider, quality_director)
    changed = [line + "5" for line in days]  # every figure changes (1 becomes 15, …)
    with CaptureQueriesContext(connection) as queries:
        import_care_hours(hours_file(*changed), provider, quality_director)
    history_inserts = [q for q in queries if "historicalcarehours" in q["sql"].lower()]
    assert len(history_inserts) == 1  # one insert for 28 rows, not one a row
    assert CareHours.history.filter(history_type="~").count() == 28
