"""A drop-down list's empty choice asks for a choice in words ("Choose a theme"), never Django's
"---------", on every form the pages show."""

import pytest

pytestmark = pytest.mark.django_db


def first_option(page: str, name: str) -> str:
    select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return select.split("<option", 2)[1].split(">", 1)[1].split("</option>", 1)[0]


@pytest.mark.parametrize(
    "url, lists",
    [
        ("/learning/triggers/new/", {"source_service": "Choose a service", "theme": "Choose a theme"}),
        ("/learning/incidents/new/", {"service": "Choose a service", "theme": "Choose a theme"}),
    ],
)
def test_every_list_asks_for_a_choice_in_words(client, sign_in, elm_house, quality_director, url, lists):
    sign_in(quality_director)
    page = client.get(url).text
    assert "---------" not in page
    assert {name: first_option(page, name) for name in lists} == lists
