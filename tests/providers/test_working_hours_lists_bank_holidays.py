"""The working-hours page lists the England and Wales bank holidays the calendar skips in the coming 12
months, in a table under the form."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from providers.calendar import LONDON
from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db

URL = reverse("working_hours")


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


def holidays_table(page: str) -> str:
    return page.split('id="bank-holidays"')[1].split("</table>")[0]


def test_the_next_twelve_months_bank_holidays_are_listed_under_the_form(client, sign_in, administrator):
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=LONDON), tick=False):
        sign_in(administrator)
        page = client.get(URL).text
    assert page.index("Save working hours") < page.index('id="bank-holidays"')
    table = holidays_table(page)
    assert "Friday 25 December 2026" in table and "Christmas Day" in table
    assert "Monday 28 December 2026" in table and "Boxing Day (substitute day)" in table
    assert "Friday 26 March 2027" in table and "Good Friday" in table
    assert "Monday 31 August 2026" not in table  # already past
    assert "Friday 1 January 2027" in table
    assert "Monday 27 December 2027" not in table  # more than 12 months away
    assert table.count('<tr class="nhsuk-table__row">') == 1 + 9  # the header and nine holidays


def test_the_list_follows_the_clock(client, sign_in, administrator):
    with time_machine.travel(datetime(2027, 6, 1, 10, 0, tzinfo=LONDON), tick=False):
        sign_in(administrator)
        table = holidays_table(client.get(URL).text)
    assert "Monday 30 August 2027" in table
    assert "Monday 27 December 2027" in table and "Christmas Day (substitute day)" in table
    assert "Monday 31 May 2027" not in table
    assert "Monday 29 May 2028" in table  # the coming 12 months run to 31 May 2028
