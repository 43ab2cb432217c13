"""Found: the executive summary told the board "Implementation verified 1 of 1 (100%)" for a region
whose only service had verified the change an hour after it went live, while the checks on its shifts
since showed a weak night team and fourteen checks overdue. Neither the summary, the trigger's page nor
the service's page said so.

Verification stays what it is (chain A: the change put in place). Beside it, every page that says
"verified" now says what live practice shows (chain B): checks overdue, problems open, with a link to
the learning live at the service; and the summary counts the verified services whose live practice is
not on track now.

Elm House received learning from a failure at Birch Lodge; it went live on Monday 23 November at 09:00.
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from learning_transfer import live_practice
from learning_transfer.models import MatchedService
from providers.choices import Role
from tests.factories import person_with_role

from .conftest import at, deploy, deploy_with_a_weak_night_team

pytestmark = pytest.mark.django_db
NOW = at(25, 12)  # Wednesday noon: the first two days' checks have fallen due, none recorded


@pytest.fixture
def verified(match, people):
    """Elm House's learning verified on Monday at 10:00, an hour after it went live."""
    MatchedService.objects.filter(pk=match.pk).update(
        implementation_confirmed_at=at(23, 10), implementation_confirmed_by=people.operations_director
    )
    match.refresh_from_db()
    return match


@pytest.fixture
def weak_night(verified, people, elm_house):
    """Live since Monday 09:00, with a weak night team: its problem open."""
    return deploy_with_a_weak_night_team(verified, people, elm_house)


def test_live_practice_is_read_beside_verification(weak_night, verified):
    practice = live_practice.at([verified.pk], NOW)[verified.pk]
    assert practice.deployment_id == weak_night.pk
    assert practice.problems == 1  # the weak night team
    assert practice.overdue > 0
    assert not practice.on_track
    assert practice.words().startswith("Live since Mon 23 Nov 2026, 09:00: ")
    assert "1 escalation still open (a threshold reached or a weak group)" in practice.words()
    # Read only where it is off track: the same answer, since it is.
    assert live_practice.at([verified.pk], NOW, off_track_only=True) == {verified.pk: practice}


def test_a_service_not_live_yet_has_nothing_to_read(verified):
    assert live_practice.at([verified.pk], NOW) == {}


def test_the_service_page_says_it_beside_verified(client, sign_in, weak_night, verified, people):
    with time_machine.travel(NOW, tick=False):
        sign_in(people.operations_director)
        page = client.get(reverse("learning_transfer:match_detail", args=[verified.pk])).text
    assert "Verified Mon 23 Nov 2026, 10:00" in page
    assert 'data-testid="live-practice"' in page
    assert "1 escalation still open" in page
    assert f'href="{reverse("adoption:deployment_detail", args=[weak_night.pk])}"' in page


def test_the_service_page_says_when_verified_learning_is_not_live(client, sign_in, verified, people):
    with time_machine.travel(NOW, tick=False):
        sign_in(people.operations_director)
        page = client.get(reverse("learning_transfer:match_detail", args=[verified.pk])).text
    assert "Not live yet: no go-live recorded, so no check on the shifts backs the verification" in page


def test_the_trigger_page_says_it_in_the_services_table(client, sign_in, weak_night, verified, people):
    with time_machine.travel(NOW, tick=False):
        sign_in(people.operations_director)
        page = client.get(reverse("learning_transfer:trigger_detail", args=[verified.trigger_id])).text
    assert "1 escalation still open" in page


def test_the_board_summary_counts_verified_services_off_track(
    client, sign_in, weak_night, verified, provider
):
    ni = person_with_role(Role.NOMINATED_INDIVIDUAL, provider=provider, username="ni")
    with time_machine.travel(NOW, tick=False):
        sign_in(ni)
        page = client.get(reverse("learning_transfer:summary")).text
    assert 'data-testid="verified-off-track"' in page
    start = page.index('data-testid="verified-off-track"')
    named = page[start : start + 400]
    assert (
        "1: <a" in named
        and f'href="{reverse("learning_transfer:match_detail", args=[verified.pk])}"' in named
    )
    assert "Elm House (LT-" in named


def test_once_the_checks_are_on_track_nothing_is_flagged(verified, people):
    deployment = deploy(verified, people.registered_manager, deployed_at=NOW - timedelta(minutes=5))
    practice = live_practice.at([verified.pk], NOW)[verified.pk]
    assert practice.deployment_id == deployment.pk and practice.on_track
    assert practice.words() == "Live since Wed 25 Nov 2026, 11:55: checks on track"
    assert live_practice.at([verified.pk], NOW, off_track_only=True) == {}
