"""A chain C case, its checks and its escalations are about an update: only the people who may read
the update see them, on every page and in every list (the engine's permission layer asks the update's
own rule).

Tester's walk: `drm.northwest` was refused the update (403, "Only … can read the regulatory and
commissioner updates") but opened its chain C case, its C2 and C5 checks with the whole C2 record,
claim text included."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation import engine
from escalation.models import Escalation
from providers.choices import Role
from reporting_control import chain, services
from reporting_control.choices import LineKind
from tests.factories import CHECK_DONE, person_with_role

from .conftest import send_notice

pytestmark = pytest.mark.django_db

C2_BREACHED = {"pct_completing_in_time": 33.3, "incident_rate_7d": 0.4, "movement_from_baseline_pct": {}}
WHY = {"pct_completing_in_time": "Counted from the services' own sign-off sheets."}
CLAIM = "Cedar Court now checks falls risk at every night round."


@pytest.fixture
def analyst(provider):
    return person_with_role(Role.PERFORMANCE_ANALYST, provider=provider, username="analyst")


@pytest.fixture
def update(plan, compliance_manager, quality_director, cedar_match, cedar_court):
    """An update with a line naming Cedar Court, whose notice is overdue and never verified (behind)."""
    notice = send_notice(cedar_match, quality_director)
    notice.due_at = timezone.now() - timedelta(days=1)
    notice.save()
    update = plan()
    services.add_line(
        update, by=compliance_manager, claim=CLAIM, kind=LineKind.NAMED_SERVICE, services=[cedar_court]
    )
    return update


@pytest.fixture
def deputies(north, south):
    """A deputy regional manager for each region (Birch Lodge is in the North, Cedar Court in the South)."""
    return {
        "north": person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="drm-north"),
        "south": person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=south, username="drm-south"),
    }


def case_pages(update) -> list[str]:
    """The case's page and the page of each of its checks."""
    run = chain.run_for(update)
    return [reverse("escalation:chain_run", args=[run.pk])] + [
        reverse("escalation:step_run", args=[step.pk]) for step in run.step_runs.all()
    ]


def test_a_deputy_refused_the_update_cannot_open_its_case_or_checks(client, sign_in, update, deputies):
    sign_in(deputies["north"])
    assert client.get(update.get_absolute_url()).status_code == 403
    for url in case_pages(update):
        assert client.get(url).status_code == 404, url


def test_readers_of_the_update_open_its_case_and_checks(client, sign_in, update, compliance_manager):
    sign_in(compliance_manager)
    assert client.get(update.get_absolute_url()).status_code == 200
    for url in case_pages(update):
        assert client.get(url).status_code == 200, url


def test_the_update_s_overdue_escalations_are_neither_opened_nor_listed_by_a_deputy(
    client, sign_in, update, deputies, compliance_manager
):
    raised = engine.tick(update.issue_at).overdue
    assert raised, "the update's checks are overdue at its issue"
    for person in deputies.values():
        sign_in(person)
        for escalation in raised:
            assert client.get(reverse("escalation:detail", args=[escalation.pk])).status_code == 404
        for show in ({}, {"show": "services"}, {"show": "all"}):
            page = client.get(reverse("escalation:inbox"), show).text
            for escalation in raised:
                assert reverse("escalation:detail", args=[escalation.pk]) not in page
    sign_in(compliance_manager)
    assert client.get(reverse("escalation:detail", args=[raised[0].pk])).status_code == 200


def test_a_manager_told_of_c2_opens_that_escalation_but_not_the_update_s_case_or_record(
    client, sign_in, update, analyst, cedar_court, deputies
):
    """C2 tells the registered manager of a service behind, who cannot open the update: they read
    the escalation about their service, not the case, its checks, or the update's record and claims."""
    manager = person_with_role(Role.REGISTERED_MANAGER, service=cedar_court, username="cedar-manager")
    chain.record(update, "C2", by=analyst, values=C2_BREACHED, reasons=WHY, check_done=CHECK_DONE)
    escalation = Escalation.objects.get(service=cedar_court, parent=None)
    sign_in(manager)
    page = client.get(reverse("escalation:detail", args=[escalation.pk]))
    assert page.status_code == 200 and "Cedar Court" in page.text
    assert CHECK_DONE not in page.text, "the update's C2 record is not theirs to read"
    assert reverse("escalation:chain_run", args=[escalation.chain_run_id]) not in page.text
    for url in case_pages(update):
        assert client.get(url).status_code == 404, url
    # The deputy of Cedar Court's region was not told, and may not read the update.
    sign_in(deputies["south"])
    assert client.get(reverse("escalation:detail", args=[escalation.pk])).status_code == 404
    listed = client.get(reverse("escalation:inbox"), {"show": "services"}).text
    assert reverse("escalation:detail", args=[escalation.pk]) not in listed


def test_the_lists_read_the_same_number_of_queries_however_many_updates_are_hidden(
    client, sign_in, plan, deputies
):
    """The deputy's inbox and dashboard ask the update's rule in the list's own query: no query per row."""
    first = plan(title="First update")
    engine.tick(first.issue_at)
    sign_in(deputies["north"])
    urls = [reverse("escalation:inbox"), f"{reverse('escalation:inbox')}?show=services", "/"]

    def queries() -> list[int]:
        counts = []
        for url in urls:
            client.get(url, follow=True)  # warm caches
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, follow=True).status_code == 200
            counts.append(len(captured))
        return counts

    before = queries()
    for n in range(2):
        later = plan(title=f"Later update {n}")
        engine.tick(later.issue_at)
    assert queries() == before
