"""Every member of staff reads the working hours their deadlines are counted in; only the administrator
changes them (found by a tester: an operations director asked "why was this due Monday 10:00?" had no
page to open: the working hours were the administrator's alone, refused with a 403)."""

import pytest
from django.urls import reverse

from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db

URL = reverse("working_hours")


def test_a_director_reads_the_working_hours_without_a_form(client, sign_in, provider):
    sign_in(person_with_role(Role.OPERATIONS_DIRECTOR, provider=provider, username="ops"))
    page = client.get(URL)
    assert page.status_code == 200
    listed = page.text.split('data-testid="working-hours"', 1)[1].split("</dl>", 1)[0]
    assert "09:00 to 17:00" in listed and "Monday to Friday" in listed
    assert "Bank holidays in the next 12 months" in page.text
    assert "Save working hours" not in page.text
    refused = client.post(URL, {"start": "08:00", "end": "18:00", "weekdays": ["0", "1"]})
    assert refused.status_code == 403
    provider.refresh_from_db()
    assert f"{provider.working_day_start:%H:%M}" == "09:00"


def test_the_administrator_still_changes_them(client, sign_in, provider):
    sign_in(person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin"))
    assert "Save working hours" in client.get(URL).text


def test_the_organisation_page_links_to_them(client, sign_in, provider):
    sign_in(person_with_role(Role.DEPUTY_REGIONAL_MANAGER, provider=provider, username="drm"))
    assert f'<a href="{URL}">Working hours and bank holidays</a>' in client.get(reverse("organisation")).text
