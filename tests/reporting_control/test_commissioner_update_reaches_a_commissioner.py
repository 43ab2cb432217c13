"""Tester 14 (L7): an update for commissioners that covered no services could be planned and released,
its pack sent to no commissioner at all, with only a warning on its page. Such an update reaches nobody:
planning it is refused with a reason on the services box, and an update planned so before is not released.
(A covered service with no commissioner on record is named so on the plan form and the update's page.)"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting_control import services
from reporting_control.choices import Audience, UpdateStatus
from reporting_control.models import EvidencePack, ReportingUpdate
from reporting_control.release_checks import release_problems
from tests.factories import check_and_sign_off

from .conftest import next_issue_at, verify

pytestmark = pytest.mark.django_db

REFUSED = "An update for commissioners is sent to the commissioners of the services it covers"


def test_planning_a_commissioners_update_covering_no_services_is_refused(plan):
    with pytest.raises(ValidationError) as refused:
        plan(services_covered=[])
    assert REFUSED in refused.value.message_dict["services"][0]
    assert not ReportingUpdate.objects.exists()


def test_an_update_for_the_regulator_may_cover_no_services(plan):
    update = plan(services_covered=[], audience=Audience.REGULATOR)
    assert update.status == UpdateStatus.DRAFT


def test_the_plan_form_shows_the_reason_and_keeps_what_was_typed(
    client, sign_in, compliance_manager, trigger
):
    sign_in(compliance_manager)
    issue_at = next_issue_at()
    response = client.post(
        reverse("reporting_control:update_create"),
        {
            "title": "Falls learning for the council",
            "audience": Audience.COMMISSIONER,
            "issue_at": issue_at.strftime("%Y-%m-%dT%H:%M"),
            "triggers": [trigger.pk],
        },
    )
    assert response.status_code == 200
    assert REFUSED in response.text
    assert 'value="Falls learning for the council"' in response.text
    assert not ReportingUpdate.objects.exists()


def test_an_update_planned_so_before_is_not_released(plan, provider_director):
    update = plan(services_covered=[], audience=Audience.REGULATOR)
    ReportingUpdate.objects.filter(pk=update.pk).update(audience=Audience.COMMISSIONER)
    update.refresh_from_db()
    assert any(
        "covers no services: no commissioner would be sent its pack" in p for p in release_problems(update)
    )
    with pytest.raises(ValidationError):
        services.release_update(update, by=provider_director)
    assert not EvidencePack.objects.filter(update=update).exists()


def test_the_release_box_says_when_no_commissioner_would_receive_the_pack(
    client, sign_in, update_with_a_line, provider_director, birch_lodge, cedar_court, birch_match
):
    """Tester 18 (M3): an update for commissioners covering only services with no commissioner on record
    was planned and offered for release with no word that its pack would reach nobody."""
    verify(birch_match)
    update = update_with_a_line()
    for service in (birch_lodge, cedar_court):
        service.commissioners.clear()
    check_and_sign_off(update, provider_director)
    sign_in(provider_director)
    page = client.get(update.get_absolute_url()).text
    hint = page.split('data-testid="release-to">', 1)[1].split("</div>", 1)[0]
    assert (
        "No commissioner is on record for the services it covers: its pack will reach no commissioner."
        in hint
    )
