"""Found: only the two-step login pages put "Error: " before the title when a form came back with
errors; on every other form a screen reader user heard the page's plain title and had to find the error
summary. Every page now says it, from whichever form on the page has errors."""

import pytest
from django.urls import reverse

from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


def _title(response) -> str:
    page = response.content.decode()
    return page[page.index("<title>") + 7 : page.index("</title>")]


def test_a_form_sent_back_with_errors_says_error_in_the_title(client, sign_in, provider, elm_house):
    sign_in(person_with_role(Role.QUALITY_DIRECTOR, provider=provider))
    url = reverse("learning_transfer:trigger_add")
    assert not _title(client.get(url)).startswith("Error")
    response = client.post(url, {})
    assert response.status_code == 200
    assert _title(response).startswith("Error: Log a serious failure")


def test_the_sign_in_page_says_it_too(client):
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert _title(response).startswith("Error: ")
