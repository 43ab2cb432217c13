"""A learning matched to a large provider's services: the trigger's page shows its tables of matched
services fifty at a time, by name, with NHS.UK previous and next links, while every figure on it counts
all of them; every service is reachable, also all at once as a CSV file, and the page costs the same
queries whichever page it shows."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning_transfer import chain
from learning_transfer.choices import TriggerStatus
from learning_transfer.models import LearningNotice, LearningTrigger, MatchedService
from learning_transfer.services.notices import refresh_notice_figures
from providers.choices import RiskLevel, RiskTag, Role
from tests.factories import ServiceFactory, person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db

TABLES = {"matched-services": 'data-testid="matched-services"', "notices": 'data-testid="notices"'}


def issued_trigger(provider, services, by) -> LearningTrigger:
    """An issued trigger matched to `services`, one notice each, every other one acknowledged in time."""
    issued_at = CONFIRMED + timedelta(hours=1)
    trigger = LearningTrigger.objects.create(
        provider=provider,
        title="Fall at night",
        source_service=ServiceFactory(region=services[0].region, name="Source home"),
        theme="fall",
        risk_tags=[RiskTag.FALLS],
        what_happened="A fall.",
        confirmed_at=CONFIRMED,
        notices_issued_at=issued_at,
        status=TriggerStatus.ISSUED,
        logged_by=by,
    )
    for n, service in enumerate(services):
        match = MatchedService.objects.create(trigger=trigger, service=service, rate_7d=1)
        LearningNotice.objects.create(
            matched_service=match,
            owner=by,
            issued_at=issued_at,
            issued_by=by,
            due_at=issued_at + timedelta(hours=72),
            acknowledged_at=issued_at + timedelta(hours=1) if n % 2 else None,
        )
    # Notices written directly, as a bulk loader would: it keeps the receipt figures current with the
    # one function every service path calls.
    refresh_notice_figures(trigger.matches.values_list("pk", flat=True))
    chain.start(trigger, by)  # as logging a trigger does
    return trigger


@pytest.fixture
def sixty_homes(north):
    """Sixty matched services, created out of name order so the page has to sort them."""
    numbers = [*range(31, 61), *range(1, 31)]
    return [
        ServiceFactory(region=north, name=f"Home {n:02}", tags=[RiskTag.FALLS], risk_level=RiskLevel.HIGH)
        for n in numbers
    ]


@pytest.fixture
def trigger(provider, sixty_homes, quality_director):
    return issued_trigger(provider, sixty_homes, quality_director)


def services_in(page: str, table: str) -> list[str]:
    """The service names in one table of the page, in order (a row may name its service twice)."""
    start = page.index(TABLES.get(table, f'id="{table}"'))
    body = page[start : page.index("</table>", start)]
    return list(dict.fromkeys(re.findall(r"Home \d\d", body)))


def homes(first: int, last: int) -> list[str]:
    return [f"Home {n:02}" for n in range(first, last + 1)]


def test_the_first_page_shows_fifty_services_by_name_and_the_figures_count_all_sixty(
    client, sign_in, trigger, quality_director
):
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    for table in ("matched-services", "notices", "exposure"):
        assert services_in(page, table) == homes(1, 50), table
    assert "60 matched services; provider median" in page
    assert page.count("services 1 to 50 shown, by name") == 3
    assert re.search(r'data-testid="matched-count">60<', page)
    assert "50.0% (30 of 60 matched services)" in page
    for anchor, label in [
        ("matched-services", "Pages of matched services"),
        ("notices", "Pages of notices"),
        ("exposure", "Pages of exposure by service"),
    ]:
        assert f'aria-label="{label}"' in page
        assert f'href="?page=2#{anchor}"' in page
    assert "Page 2 of 2" in page and "Previous" not in page


def test_the_second_page_shows_the_last_ten_and_leads_back(client, sign_in, trigger, quality_director):
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/?page=2").text
    for table in ("matched-services", "notices", "exposure"):
        assert services_in(page, table) == homes(51, 60), table
    assert page.count("services 51 to 60 shown, by name") == 3
    assert 'href="?page=1#notices"' in page and "Page 1 of 2" in page
    assert "50.0% (30 of 60 matched services)" in page  # the figures do not depend on the page


@pytest.mark.parametrize("asked, shown", [("9", homes(51, 60)), ("none", homes(1, 50))])
def test_a_page_that_does_not_exist_shows_the_nearest_one(
    client, sign_in, trigger, quality_director, asked, shown
):
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/?page={asked}").text
    assert services_in(page, "matched-services") == shown


def test_every_matched_service_is_on_one_of_the_pages(client, sign_in, trigger, quality_director):
    sign_in(quality_director)
    pages = [client.get(f"/learning/triggers/{trigger.pk}/?page={number}").text for number in (1, 2)]
    shown = [name for page in pages for name in services_in(page, "exposure")]
    assert shown == homes(1, 60)


def test_each_page_costs_the_same_queries(client, sign_in, trigger, quality_director):
    sign_in(quality_director)
    url = f"/learning/triggers/{trigger.pk}/"
    client.get(url)  # warm caches

    def queries(address):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200
        return len(captured)

    assert queries(url) == queries(f"{url}?page=2")


def test_a_trigger_with_fifty_services_or_fewer_shows_them_all_on_one_page(
    client, sign_in, provider, sixty_homes, quality_director
):
    sign_in(quality_director)
    trigger = issued_trigger(provider, sixty_homes[:50], quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert len(services_in(page, "matched-services")) == 50
    assert "shown, by name" not in page and "nhsuk-pagination" not in page


def test_a_manager_adds_or_leaves_out_a_service_on_a_page_of_its_own(
    client, sign_in, trigger, quality_director, nominated_individual
):
    """The trigger's page links to the form that lists every service of the provider, rather than
    listing them all each time it is opened."""
    url, form_url = f"/learning/triggers/{trigger.pk}/", f"/learning/triggers/{trigger.pk}/matches/"
    sign_in(quality_director)
    page = client.get(url).text
    assert f'href="{form_url}"' in page and 'name="service"' not in page
    form = client.get(form_url).text
    assert "Home 01</option>" in form and "Home 60</option>" in form
    sign_in(nominated_individual)  # may read the trigger, not change its matches
    assert form_url not in client.get(url).text


def test_every_matched_service_downloads_as_csv_with_the_figures_of_the_page(
    client, sign_in, trigger, quality_director
):
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "Download all 60 matched services with their notices and implementation (CSV)" in page
    response = client.get(f"/learning/triggers/{trigger.pk}/services.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{trigger.reference}-matched-services.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Service"] for row in rows] == homes(1, 60)
    first, second = rows[0], rows[1]  # Home 01 was the 31st made (not acknowledged), Home 02 the 32nd
    assert (first["Risk level"], first["Rate per 100 care hours"], first["Notice owner"]) == (
        "High",
        "1.000",
        str(quality_director),
    )
    assert float(first["Care hours"]) >= 0 and "," not in first["Care hours"]  # a number to sum
    assert first["Expected reduction (%)"] == ""  # none recorded: an empty cell, not a dash
    # Issued on the 18th and never acknowledged: its 4-hour window has long closed.
    assert (first["Acknowledged"], first["Receipt"], first["Implementation lead"]) == (
        "",
        "Not received in time",
        "None confirmed",
    )
    assert (second["Notice issued"], second["Acknowledged"], second["Receipt"]) == (
        "2026-11-18 11:00",
        "2026-11-18 12:00",
        "Within 4 hours",
    )


def test_the_file_opens_in_excel_with_pound_signs_and_accents_intact(
    client, sign_in, trigger, quality_director
):
    """Excel on Windows reads a CSV file without a byte-order mark as Windows-1252, showing "£5" as
    "Â£5": the file starts with the UTF-8 byte-order mark, which Excel takes as its encoding."""
    match = trigger.matches.get(service__name="Home 07")
    match.matched_by_rule, match.reason = False, "Night staffing at the café: résidents – £5 a shift"
    match.save()
    sign_in(quality_director)
    content = client.get(f"/learning/triggers/{trigger.pk}/services.csv").content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    by_name = {row["Service"]: row for row in rows}
    assert by_name["Home 07"]["Added by hand"] == "Night staffing at the café: résidents – £5 a shift"


def test_a_service_name_cannot_run_as_a_spreadsheet_formula(client, sign_in, trigger, quality_director):
    match = trigger.matches.get(service__name="Home 07")
    match.service.name = "=HYPERLINK(1)"
    match.service.save()
    sign_in(quality_director)
    text = client.get(f"/learning/triggers/{trigger.pk}/services.csv").content.decode()
    assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text


def test_the_file_is_only_for_people_who_may_see_the_trigger(
    client, sign_in, trigger, other_provider_service
):
    outsider = person_with_role(Role.QUALITY_DIRECTOR, provider=other_provider_service.provider)
    sign_in(outsider)
    assert client.get(f"/learning/triggers/{trigger.pk}/services.csv").status_code == 404
