"""A trigger's matched services, on its page and in its CSV, are shown as far as the person's role
reaches: every service to a provider-level role, the region's to a deputy regional manager (with a
count of the rest), and to service staff their own service only, with a count of the others.

Tester's walk, finding 4: `clinical.rowancourt` read Ash Grove's and Hawthorn House's incidents, notice
owners and lateness on the trigger page, and downloaded them as CSV."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning_transfer.services import adjust_match, issue_notices
from providers.choices import Role
from tests.factories import ServiceFactory, person_with_role

pytestmark = pytest.mark.django_db

MATCHED = {"Ash Grove", "Beech Lodge", "Cedar Court", "Dove Cottage"}  # north: Ash, Beech; south: Cedar, Dove


@pytest.fixture
def trigger(log_falls_trigger, managers, quality_director):
    """The falls learning issued to the four matched homes (each with its registered manager)."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director)
    return trigger


def page_of(client, sign_in, person, trigger) -> str:
    """The trigger's page as `person` reads it."""
    sign_in(person)
    response = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk]))
    assert response.status_code == 200
    return response.text


def csv_services(client, sign_in, person, trigger) -> set[str]:
    """The services named in the CSV the person downloads."""
    sign_in(person)
    response = client.get(reverse("learning_transfer:trigger_services_csv", args=[trigger.pk]))
    assert response.status_code == 200
    return {row["Service"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}


@pytest.mark.parametrize(
    "role", [Role.CLINICAL_LEAD, Role.SENIOR_CARER_LATE, Role.ON_CALL_MANAGER, Role.REGISTERED_MANAGER]
)
def test_service_staff_see_their_own_service_and_only_a_count_of_the_others(
    client, sign_in, trigger, falls_provider, managers, role
):
    person = (
        managers["ash"]
        if role == Role.REGISTERED_MANAGER
        else person_with_role(role, service=falls_provider["ash"])
    )
    page = page_of(client, sign_in, person, trigger)
    assert "Ash Grove" in page
    for other in MATCHED - {"Ash Grove"}:
        assert other not in page, f"{other} is shown to a {role} of Ash Grove"
    assert "The learning went to 3 other services across the provider." in page
    # Their own notice's owner shows; the other homes' owners (their registered managers) do not.
    for key in ("beech", "cedar", "dove"):
        assert str(managers[key]) not in page
    assert "Night checks must follow the falls-risk plan" in page  # the learning itself
    assert csv_services(client, sign_in, person, trigger) == {"Ash Grove"}


def test_source_service_staff_see_the_learning_and_a_count_only(client, sign_in, trigger, registered_manager):
    """Elm House, where the failure happened, is not matched: its manager sees no matched service."""
    page = page_of(client, sign_in, registered_manager, trigger)
    assert not any(name in page for name in MATCHED)
    assert "The learning went to 4 services across the provider." in page
    assert csv_services(client, sign_in, registered_manager, trigger) == set()
    # Found: beside that, the page said "0 matched services", "No service matches the rule. Add one by
    # hand", "(0 of 0 — your own service)" and "No matched services yet".
    for contradiction in (
        "0 matched services",
        "No service matches the rule",
        "0 of 0",
        "No matched services yet",
        "your own service",
    ):
        assert contradiction not in page
    assert "Their figures, notices and implementation are not shown to you." in page


def test_a_deputy_regional_manager_sees_their_region_and_a_count_of_the_rest(client, sign_in, trigger, north):
    deputy = person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="deputy.north")
    page = page_of(client, sign_in, deputy, trigger)
    assert "Ash Grove" in page and "Beech Lodge" in page
    assert "Cedar Court" not in page and "Dove Cottage" not in page
    assert "2 other matched services outside your region" in page
    assert csv_services(client, sign_in, deputy, trigger) == {"Ash Grove", "Beech Lodge"}


def test_provider_level_roles_see_every_matched_service(client, sign_in, trigger, quality_director):
    page = page_of(client, sign_in, quality_director, trigger)
    assert all(name in page for name in MATCHED)
    assert "across the provider." not in page and "outside your region" not in page
    assert csv_services(client, sign_in, quality_director, trigger) == MATCHED


def test_the_page_reads_the_same_number_of_queries_however_many_services_are_hidden(
    client, sign_in, trigger, falls_provider, north, quality_director
):
    person = person_with_role(Role.CLINICAL_LEAD, service=falls_provider["ash"])
    sign_in(person)
    url = reverse("learning_transfer:trigger_detail", args=[trigger.pk])
    client.get(url)  # warm caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        adjust_match(
            trigger, ServiceFactory(region=north, name=f"Extra {n}"), True, "Same risk", by=quality_director
        )
    assert queries() == before
    assert "The learning went to 8 other services across the provider." in client.get(url).text


def test_the_recorded_matching_result_names_no_hidden_service(
    client, sign_in, trigger, falls_provider, quality_director
):
    """A1's recorded result names the services above the median: only people who see every matched
    service read it; service staff read who recorded it and when."""
    sign_in(quality_director)
    client.post(reverse("learning_transfer:trigger_record_a1", args=[trigger.pk]))
    whole = page_of(client, sign_in, quality_director, trigger)
    recorded = whole.split("Recorded by ", 1)[1].split("</p>", 1)[0]
    named = {name for name in MATCHED if name in recorded}
    assert named, "the recorded result names the services above the median"
    person = person_with_role(Role.CLINICAL_LEAD, service=falls_provider["ash"])
    page = page_of(client, sign_in, person, trigger)
    assert "Recorded by " in page
    for other in MATCHED - {"Ash Grove"}:
        assert other not in page, f"{other} is named to a clinical lead of Ash Grove"


def timeline_of(page: str) -> str:
    """The chain timeline's part of the page."""
    return page.split('id="chain"', 1)[1].split("</ol>", 1)[0]


def test_the_timeline_shows_a_regional_check_only_for_regions_the_person_sees(
    client, sign_in, trigger, falls_provider, north, quality_director
):
    """Each region's check (A4) names that region's lateness and who holds it: service staff and a
    deputy see their own region's, the provider's roles every region's."""
    whole = timeline_of(page_of(client, sign_in, quality_director, trigger))
    assert "– North" in whole and "– South" in whole, "the case runs a check per region"
    clinical = person_with_role(Role.CLINICAL_LEAD, service=falls_provider["ash"])
    deputy = person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="deputy.north")
    for person in (clinical, deputy):
        timeline = timeline_of(page_of(client, sign_in, person, trigger))
        assert "– North" in timeline, f"{person} sees their own region's check"
        assert "– South" not in timeline, f"{person} sees another region's check"
        assert "Find comparable services" in timeline, "steps of no region show to everyone"
        assert "1 check run for other regions is not shown." in page_of(client, sign_in, person, trigger)


def test_the_receipt_figure_says_which_services_it_counts(client, sign_in, trigger, falls_provider, north):
    """Narrowed, the A2 figure counts only the services the person sees, and its words say so."""
    clinical = person_with_role(Role.CLINICAL_LEAD, service=falls_provider["ash"])
    assert "(0 of 1 — your own service)" in page_of(client, sign_in, clinical, trigger)
    deputy = person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="deputy.north")
    assert "(0 of 2 matched services in your region)" in page_of(client, sign_in, deputy, trigger)
