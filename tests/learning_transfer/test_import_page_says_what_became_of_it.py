"""The import page says what became of an upload, and only that: a file that was refused is never
greeted with a green "Done" banner above the red list of its problems."""

import pytest
from django.urls import reverse

from learning_transfer.choices import ImportKind, ImportStatus
from learning_transfer.models import ImportJob

from .test_import_limits import HEADER, incident_lines, upload

pytestmark = pytest.mark.django_db


def uploaded(client, sign_in, person, content: str, django_capture_on_commit_callbacks) -> str:
    """The page the upload leads to (a small file is checked at once, as on the demo)."""
    sign_in(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning_transfer:import"), {"kind": ImportKind.INCIDENTS, "file": upload(content)}
        )
    assert response.status_code == 302
    return client.get(response.url).text


def test_a_refused_file_shows_its_problems_and_no_done_banner(
    client, sign_in, quality_director, elm_house, django_capture_on_commit_callbacks
):
    bad = "\n".join(
        [HEADER, "X-1,Elm House,not a date,fall,low,no,1", "X-2,Nowhere,2025-01-01 10:00,fall,low,no,1"]
    )
    page = uploaded(client, sign_in, quality_director, bad, django_capture_on_commit_callbacks)
    assert ImportJob.objects.get().status == ImportStatus.REJECTED
    assert "Nothing was imported: 2 problems found" in page
    assert "nhsuk-notification-banner--success" not in page and ">Done<" not in page


def test_an_imported_file_says_what_was_saved_once(
    client, sign_in, quality_director, elm_house, django_capture_on_commit_callbacks
):
    page = uploaded(
        client,
        sign_in,
        quality_director,
        "\n".join([HEADER, *incident_lines(3)]),
        django_capture_on_commit_callbacks,
    )
    assert "<strong>Imported</strong> 3 rows: 3 new" in page
    assert "every row is checked before anything is saved" not in page  # the check is over


def test_a_mistake_repeated_on_many_lines_is_listed_once_with_its_lines(
    client, sign_in, quality_director, elm_house, django_capture_on_commit_callbacks
):
    """Found by a tester: a service misspelt on 8,325 rows listed 500 identical lines, a page 85,000
    pixels long on a phone."""
    rows = [f"X-{n},Elm Hse,2025-01-01 10:00,fall,low,no,1" for n in range(12)]
    page = uploaded(
        client, sign_in, quality_director, "\n".join([HEADER, *rows]), django_capture_on_commit_callbacks
    )
    assert "Nothing was imported: 12 problems found" in page
    assert page.count("Unknown service &#x27;Elm Hse&#x27;") == 1
    assert "2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more lines" in page
