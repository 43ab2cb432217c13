"""The register and the executive summary make the same number of queries for 5 triggers as for 50."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning_transfer import chain
from learning_transfer.choices import HarmLevel
from learning_transfer.models import LearningNotice, LearningTrigger, MatchedService
from learning_transfer.services.notices import refresh_notice_figures
from providers.choices import RiskLevel, RiskTag
from tests.factories import ServiceFactory

from .conftest import CONFIRMED, add_incidents

pytestmark = pytest.mark.django_db


def make_triggers(numbers, provider, services, by):
    """Issued triggers numbered `numbers`, each matched to every service with a notice (half acknowledged)."""
    for n in numbers:
        trigger = LearningTrigger.objects.create(
            provider=provider,
            title=f"Fall {n}",
            source_service=services[n % len(services)],
            theme="fall",
            risk_tags=[RiskTag.FALLS],
            what_happened="A fall.",
            confirmed_at=CONFIRMED - timedelta(days=n),
            notices_issued_at=CONFIRMED - timedelta(days=n) + timedelta(hours=1),
            status="issued",
            logged_by=by,
        )
        for i, service in enumerate(services):
            match = MatchedService.objects.create(trigger=trigger, service=service, rate_7d=1)
            LearningNotice.objects.create(
                matched_service=match,
                owner=by,
                issued_at=trigger.notices_issued_at,
                issued_by=by,
                due_at=trigger.notices_issued_at + timedelta(hours=72),
                acknowledged_at=trigger.notices_issued_at + timedelta(hours=1) if i % 2 else None,
            )


@pytest.fixture
def services(north):
    return [ServiceFactory(region=north, tags=[RiskTag.FALLS], risk_level=RiskLevel.HIGH) for _ in range(4)]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/learning/", "/learning/summary/?period=all"])
def test_page_queries_do_not_grow_with_the_number_of_triggers(
    client, sign_in, url, provider, services, quality_director, nominated_individual
):
    person = nominated_individual if "summary" in url else quality_director
    sign_in(person)
    make_triggers(range(5), provider, services, person)
    queries_for(client, url)  # warm caches (content types, sessions) so both counts compare alike
    with_five = queries_for(client, url)
    make_triggers(range(5, 50), provider, services, person)
    with_fifty = queries_for(client, url)
    assert with_five == with_fifty
    page = client.get(url).text
    assert "Fall 49" in page and "Fall 0" in page


@pytest.mark.parametrize("page", ["trigger", "summary", "notices"])
def test_page_queries_do_not_grow_with_the_number_of_matched_services(
    client, sign_in, page, provider, north, quality_director, nominated_individual
):
    def build(count):
        high_risk_falls = {"region": north, "tags": [RiskTag.FALLS], "risk_level": RiskLevel.HIGH}
        services = [ServiceFactory(**high_risk_falls) for _ in range(count)]
        make_triggers([count], provider, services, quality_director)
        trigger = LearningTrigger.objects.get(title=f"Fall {count}")
        chain.start(trigger, quality_director)  # as logging a trigger does
        person = nominated_individual if page == "summary" else quality_director
        url = {
            "trigger": f"/learning/triggers/{trigger.pk}/",
            "summary": f"/learning/summary/?period=all&theme=fall&region={north.pk}",
            "notices": "/learning/notices/",
        }[page]
        sign_in(person)
        queries_for(client, url)  # warm caches
        return queries_for(client, url)

    with_three = build(3)
    with_twenty = build(20)
    assert with_three == with_twenty


@pytest.mark.parametrize("url", ["/learning/review/", "/dashboard/quality_director/"])
def test_the_review_list_and_dashboard_queries_do_not_grow_with_incidents(
    client, sign_in, url, elm_house, quality_director
):
    """The review list and the quality director's dashboard panel read a count and one page."""
    sign_in(quality_director)

    def with_incidents(count, prefix):
        add_incidents(elm_house, count, prefix=prefix, harm_level=HarmLevel.SEVERE, day=date(2026, 11, 20))
        add_incidents(elm_house, count, prefix=f"{prefix}-falls", day=date(2026, 11, 21))
        queries_for(client, url)  # warm caches
        return queries_for(client, url)

    assert with_incidents(3, "few") == with_incidents(40, "many")
    # 43 severe-harm incidents, and 43 falls on one day: the 3rd, 6th … 42nd complete a repeat.
    assert "57 incidents awaiting a review decision" in client.get(url).text


def test_the_review_list_shows_a_page_of_fifty_with_the_same_queries_on_every_page(
    client, sign_in, elm_house, quality_director
):
    sign_in(quality_director)
    add_incidents(elm_house, 60, prefix="sev", harm_level=HarmLevel.SEVERE, day=date(2026, 11, 20))
    queries_for(client, "/learning/review/")  # warm caches
    first, second = queries_for(client, "/learning/review/"), queries_for(client, "/learning/review/?page=2")
    assert first == second
    pages = [client.get(f"/learning/review/?page={n}").text for n in (1, 2, 9)]
    rows = [page.count('class="nhsuk-table__row"') - 1 for page in pages]  # less the header row
    assert rows == [50, 10, 10], "a page past the last shows the last page"
    assert "60 incidents awaiting a review decision; 1 to 50 shown, newest first" in pages[0]
    assert "page=2" in pages[0] and "Page 2 of 2" in pages[0]
    # The newest first: 10:59 on page 1, then the oldest ten (10:00 to 10:09) on page 2.
    assert "sev-59" in pages[0] and "sev-9<" in pages[1] and "sev-0<" in pages[1]
    assert "sev-10<" not in pages[1]


def test_the_register_counts_included_services_and_current_acknowledged_notices(
    client, sign_in, provider, services, quality_director
):
    """Each row counts its own included matched services and their acknowledged current notices: a
    left-out service, a superseded notice and another trigger's notices are not counted."""
    sign_in(quality_director)
    make_triggers([1, 2], provider, services, quality_director)  # 4 services each, 2 acknowledged
    first = LearningTrigger.objects.get(title="Fall 1")
    left_out = first.matches.order_by("pk").last()  # an acknowledged one (odd index)
    left_out.included = False
    left_out.save()
    superseded = LearningNotice.objects.filter(
        matched_service__trigger=first, acknowledged_at__isnull=False, matched_service__included=True
    ).first()
    superseded.superseded_at = superseded.issued_at + timedelta(hours=2)
    superseded.save()
    rows = {t.title: t for t in client.get("/learning/").context["triggers"]}
    assert (rows["Fall 1"].included_count, rows["Fall 1"].acknowledged_count) == (3, 0)
    assert (rows["Fall 2"].included_count, rows["Fall 2"].acknowledged_count) == (4, 2)


def test_recording_a1_adds_no_query_to_the_trigger_page(client, sign_in, log_falls_trigger, quality_director):
    """The page reads A1's record whether or not it exists yet, with who recorded it in the same query."""
    trigger = log_falls_trigger()
    sign_in(quality_director)
    url = f"/learning/triggers/{trigger.pk}/"
    queries_for(client, url)  # warm caches
    before = queries_for(client, url)
    client.post(f"/learning/triggers/{trigger.pk}/a1/")
    assert f"Recorded by {quality_director}" in client.get(url).text
    assert queries_for(client, url) == before


def reissue(trigger, rounds: int, by) -> None:
    """Supersede every service's notice `rounds - 1` times, five hours apart, as redistribution does."""
    for round_no in range(2, rounds + 1):
        for old in LearningNotice.objects.filter(matched_service__trigger=trigger, superseded_at=None):
            at = old.issued_at + timedelta(hours=5)
            old.superseded_at = at
            old.save()
            LearningNotice.objects.create(
                matched_service=old.matched_service, round=round_no, owner=by, issued_at=at, issued_by=by
            )
    refresh_notice_figures(trigger.matches.values("pk"))


def test_the_trigger_page_queries_do_not_grow_with_rounds_of_redistribution(
    client, sign_in, provider, north, quality_director
):
    """Every round of every service's notices is on the page, from the same queries as one round."""
    sign_in(quality_director)

    def build(count, rounds):
        services = [ServiceFactory(region=north, tags=[RiskTag.FALLS]) for _ in range(count)]
        make_triggers([count], provider, services, quality_director)
        trigger = LearningTrigger.objects.get(title=f"Fall {count}")
        chain.start(trigger, quality_director)
        reissue(trigger, rounds, quality_director)
        url = f"/learning/triggers/{trigger.pk}/"
        queries_for(client, url)  # warm caches
        return queries_for(client, url), client.get(url).text

    (two_rounds, few), (three_rounds, many) = build(3, 2), build(20, 3)
    assert two_rounds == three_rounds
    assert "Round 2: reissued" in few and "Round 3: reissued" not in few
    assert "Round 3: reissued" in many and "to the 20 services without a received notice" in many
