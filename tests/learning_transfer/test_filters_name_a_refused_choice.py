"""Tester 17 (L9): a filter address with a choice no longer listed (the summary's `?region=4`, the
register's `?sent_to=15`, the incidents' `?import_job=99999`) was answered with Django's "Select a valid
choice. That choice is not one of the available choices.", not naming the box. Every list filter names
its box and says what to do, as My escalations' filter does."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("/learning/summary/?region=999999", "Choose one of the choices listed under “Region”."),
        ("/learning/?sent_to=999999", "Choose one of the choices listed under “Sent to”."),
        ("/learning/incidents/?import_job=999999", "Choose one of the choices listed under “Import”."),
        ("/learning/?theme=nonsense", "Choose one of the choices listed under “Theme”."),
    ],
)
def test_a_refused_filter_choice_names_its_box(
    client, sign_in, provider, elm_house, quality_director, address, said
):
    sign_in(quality_director)
    page = client.get(address).text
    assert said in page.replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert "Select a valid choice" not in page
