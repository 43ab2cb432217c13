"""A care-hours file that replaces figures already saved says which, old → new, on its finished page:
every rate on the summary moves with them, so whoever imported it can see what they changed (and
spot a wrong month) without opening each service's history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning_transfer.services import import_care_hours
from learning_transfer.services.import_changes import REPLACED_SHOWN, replaced_care_hours

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def hours_file(rows: list[tuple[str, str, str]], name="hours.csv"):
    text = "service,day,hours\n" + "".join(f"{s},{d},{h}\n" for s, d, h in rows)
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


FIRST = [
    ("Elm House", "2026-11-02", "742.5"),
    ("Elm House", "2026-11-03", "700"),
    ("Birch Lodge", "2026-11-02", "80"),
]


def test_the_finished_page_lists_each_replaced_figure_old_to_new(
    client, sign_in, quality_director, provider, elm_house, birch_lodge
):
    import_care_hours(hours_file(FIRST), provider, quality_director)
    second = [
        ("Elm House", "2026-11-02", "750"),
        ("Elm House", "2026-11-03", "700"),
        ("Birch Lodge", "2026-11-02", "96"),
    ]
    job = import_care_hours(hours_file(second), provider, quality_director)
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:import_detail", args=[job.pk])).text
    assert "2 figures replaced" in page
    assert "Birch Lodge" in page and "80.00" in page and "96.00" in page
    assert "742.50" in page and "750.00" in page
    rows = [(r.service_name, str(r.day), r.before, r.after) for r in replaced_care_hours(job)]
    assert rows == [
        ("Birch Lodge", "2026-11-02", "80.00", "96.00"),
        ("Elm House", "2026-11-02", "742.50", "750.00"),
    ]


def test_a_figure_replaced_by_an_earlier_file_is_not_listed_again(
    quality_director, provider, elm_house, birch_lodge
):
    import_care_hours(hours_file(FIRST), provider, quality_director)
    first_change = import_care_hours(
        hours_file([("Elm House", "2026-11-02", "750")]), provider, quality_director
    )
    second_change = import_care_hours(
        hours_file([("Elm House", "2026-11-03", "710")]), provider, quality_director
    )
    assert [(str(r.day), r.before, r.after) for r in replaced_care_hours(first_change)] == [
        ("2026-11-02", "742.50", "750.00")
    ]
    assert [(str(r.day), r.before, r.after) for r in replaced_care_hours(second_change)] == [
        ("2026-11-03", "700.00", "710.00")
    ]


def test_a_long_list_is_cut_and_says_how_many_more(
    client, sign_in, quality_director, provider, elm_house, django_assert_max_num_queries
):
    days = [f"2026-10-{day:02d}" for day in range(1, 31)]
    import_care_hours(hours_file([("Elm House", d, "100") for d in days]), provider, quality_director)
    job = import_care_hours(hours_file([("Elm House", d, "90") for d in days]), provider, quality_director)
    sign_in(quality_director)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("learning_transfer:import_detail", args=[job.pk])).text
    assert "30 figures replaced" in page
    assert f"The first {REPLACED_SHOWN} are listed" in page
    assert page.count("100.00") == REPLACED_SHOWN


def test_a_first_upload_lists_nothing_replaced(client, sign_in, quality_director, provider, elm_house):
    job = import_care_hours(hours_file(FIRST[:2]), provider, quality_director)
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:import_detail", args=[job.pk])).text
    assert "replaced" not in page
    assert replaced_care_hours(job) == []
