"""The provider administrator sets the provider's working day and working weekdays in the app."""

from datetime import time

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from providers import services
from providers.actions import AlreadyDone
from providers.choices import Role
from tests.factories import ProviderFactory, person_with_role

pytestmark = pytest.mark.django_db

URL = reverse("working_hours")


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


def _form(**changes):
    weekdays = ["0", "1", "2", "3", "4", "5"]
    data = {"start": "08:00", "end": "18:00", "weekdays": weekdays, "reason": "Saturday cover"}
    return {**data, **changes}


def test_the_administrator_changes_the_working_week_and_the_history_says_who_and_why(
    client, sign_in, administrator, provider
):
    sign_in(administrator)
    response = client.post(URL, _form(), follow=True)
    assert "Working hours saved" in response.text
    provider.refresh_from_db()
    assert (provider.working_day_start, provider.working_day_end) == (time(8), time(18))
    assert provider.working_hours.weekdays == frozenset(range(6))
    latest = provider.history.order_by("-history_date").first()
    assert latest.history_user == administrator
    assert latest.history_change_reason == "Saturday cover"
    assert "Saturday cover" in response.text  # the page shows the history


def test_the_page_says_open_cases_keep_their_deadlines(client, sign_in, administrator):
    sign_in(administrator)
    page = client.get(URL).text
    assert "deadlines worked out from now on" in page
    assert "keep the deadlines they already have" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start": "17:00", "end": "09:00"}, "end", "The working day must end after it starts"),
        ({"start": "09:00", "end": "09:00"}, "end", "The working day must end after it starts"),
        ({"weekdays": []}, "weekdays", "Choose at least one working day"),
        (
            {"start": "09:00", "end": "09:01", "weekdays": ["0"]},
            "end",
            "A working day must be at least 1 hour long: 09:00 to 09:01 is 1 minute.",
        ),
        (
            {"start": "09:00", "end": "09:45"},
            "end",
            "A working day must be at least 1 hour long: 09:00 to 09:45 is 45 minutes.",
        ),
        ({"reason": " "}, "reason", "Give the reason for the change"),
        ({"start": "09:00:30"}, "start", "Enter a time like 09:00."),  # seconds were saved unseen
    ],
)
def test_a_mistake_is_a_field_error_and_changes_nothing(
    client, sign_in, administrator, provider, changes, field, message
):
    sign_in(administrator)
    response = client.post(URL, _form(**changes))
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert f'href="#id_{field}' in response.text  # the error summary links to the field
    provider.refresh_from_db()
    assert provider.working_day_start == time(9)
    assert provider.working_hours.weekdays == frozenset(range(5))


def test_only_the_provider_administrator_may_change_them(client, sign_in, quality_director, provider):
    sign_in(quality_director)
    page = client.get(URL)  # read by every member of staff: their deadlines count in these hours
    assert page.status_code == 200 and "Save working hours" not in page.text
    assert client.post(URL, _form()).status_code == 403
    provider.refresh_from_db()
    assert provider.working_day_start == time(9)


def test_the_service_refuses_anyone_but_the_administrator_of_that_provider(administrator):
    elsewhere = ProviderFactory(name="Riverside Homes")
    with pytest.raises(PermissionDenied):
        services.set_working_hours(
            elsewhere, by=administrator, start=time(8), end=time(18), weekdays={0}, reason="Not mine"
        )
    elsewhere.refresh_from_db()
    assert elsewhere.working_day_start == time(9)


def test_an_administrator_of_another_provider_cannot_choose_ours(client, sign_in, provider):
    elsewhere = ProviderFactory(name="Riverside Homes")
    outsider = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=elsewhere, username="other.admin")
    sign_in(outsider)
    client.post(f"{URL}?provider={provider.pk}", _form())
    provider.refresh_from_db()
    assert provider.working_day_start == time(9)
    elsewhere.refresh_from_db()
    assert elsewhere.working_day_start == time(8)  # the form acted on their own provider only


def test_the_administrator_dashboard_links_to_the_page(client, sign_in, administrator):
    sign_in(administrator)
    page = client.get(reverse("dashboard", args=[Role.PROVIDER_ADMINISTRATOR])).text
    assert URL in page


def test_the_same_working_hours_sent_twice_change_nothing_the_second_time(
    client, sign_in, administrator, provider
):
    """A double submit wrote a second history row, "changed" to what it already was."""
    sign_in(administrator)
    client.post(URL, _form(), follow=True)
    rows = provider.history.count()

    again = client.post(URL, _form(reason="Pressed twice"), follow=True)

    assert "Nothing changed: these are already the working hours of Oakwood Care Group." in again.text
    assert "Working hours saved" not in again.text
    assert provider.history.count() == rows
    assert provider.history.order_by("-history_date").first().history_change_reason == "Saturday cover"


def test_the_working_days_ticked_in_another_order_are_the_same_working_hours(
    client, sign_in, administrator, provider
):
    sign_in(administrator)
    rows = provider.history.count()
    same = {"start": "09:00", "end": "17:00", "weekdays": ["4", "3", "2", "1", "0"], "reason": "No change"}
    response = client.post(URL, same, follow=True)
    assert "Nothing changed: these are already the working hours" in response.text
    assert provider.history.count() == rows


def test_a_changed_save_after_an_unchanged_one_still_records_one_history_row(
    client, sign_in, administrator, provider
):
    sign_in(administrator)
    client.post(URL, _form())
    client.post(URL, _form())
    rows = provider.history.count()

    changed = client.post(URL, _form(end="19:00", reason="Later evening cover"), follow=True)

    assert "Working hours saved" in changed.text
    assert provider.history.count() == rows + 1
    provider.refresh_from_db()
    assert provider.working_day_end == time(19)
    assert provider.history.order_by("-history_date").first().history_change_reason == "Later evening cover"


def test_the_service_says_when_the_working_hours_are_already_these(administrator, provider):
    rows = provider.history.count()
    with pytest.raises(AlreadyDone) as done:
        services.set_working_hours(
            provider, by=administrator, start=time(9), end=time(17), weekdays={0, 1, 2, 3, 4}, reason="Again"
        )
    assert done.value.message == "Nothing changed: these are already the working hours of Oakwood Care Group."
    assert done.value.existing == provider
    assert provider.history.count() == rows
