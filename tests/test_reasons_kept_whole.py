"""A reason a person gives is kept whole in the history, however long the form let it be.

The history's "why" used to hold 100 characters and each service cut the reason to fit: an
administrator's 400-character reason for a change of working week was accepted, said to be "kept in
the history", and kept as its first 100 characters, with nothing to say the rest was lost.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learning_transfer.models import MatchedService
from learning_transfer.services import common as history
from learning_transfer.services import triggers as trigger_services
from providers import services as provider_services
from providers.choices import Role
from providers.models import RoleAssignment
from reporting_control import services as reporting
from reporting_control.choices import Audience
from tests.factories import falls_trigger, person_with_role

pytestmark = pytest.mark.django_db

# 420 characters: well past the old 100, within the 500 the reason fields allow.
LONG_REASON = (
    "The night team at Elm House now starts at 20:00 rather than 22:00, so the provider's working "
    "day ends later on weekdays. The registered managers asked for this after the falls review, "
    "because escalations raised after 18:00 waited until the next morning for a named person to "
    "answer them. Agreed at the quality committee on 3 December; the rota team has confirmed the "
    "cover and the on-call lead will pick up anything raised overnight."
)


@pytest.fixture
def trigger(provider, elm_house, quality_director):
    return falls_trigger(provider, elm_house, quality_director, days_ago=2)


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


def test_a_long_reason_for_a_new_working_week_is_shown_whole_on_the_page(client, sign_in, administrator):
    assert 100 < len(LONG_REASON) <= 500
    sign_in(administrator)
    form = {"start": "08:00", "end": "20:00", "weekdays": ["0", "1", "2", "3", "4"], "reason": LONG_REASON}
    page = client.post(reverse("working_hours"), form, follow=True).text
    assert "Working hours saved" in page
    assert escape(LONG_REASON) in page


def test_a_long_reason_for_giving_and_taking_a_role_is_kept_whole(
    administrator, registered_manager, provider, birch_lodge
):
    given = provider_services.give_role(
        provider,
        by=administrator,
        person=registered_manager,
        role=Role.CLINICAL_LEAD,
        service=birch_lodge,
        reason=LONG_REASON,
    )
    assert given.history.get().history_change_reason == LONG_REASON
    # The only Clinical Lead at Birch Lodge: removed knowingly, which is not what this test is about.
    provider_services.remove_role(given, by=administrator, reason=LONG_REASON, remove_anyway=True)
    removed = RoleAssignment.history.get(id=given.pk, history_type="-")
    assert removed.history_change_reason == LONG_REASON


def test_a_long_reason_for_leaving_a_service_out_of_the_learning_is_kept_whole(
    quality_director, trigger, birch_lodge
):
    trigger_services.adjust_match(trigger, birch_lodge, True, LONG_REASON, by=quality_director)
    match = MatchedService.objects.get(trigger=trigger, service=birch_lodge)
    assert match.history.latest("history_date").history_change_reason == f"Added: {LONG_REASON}"


def test_history_written_in_one_statement_keeps_a_long_reason_whole(quality_director, trigger):
    history.write_history(type(trigger), [trigger.pk], quality_director, LONG_REASON, "~")
    assert trigger.history.latest("history_date").history_change_reason == LONG_REASON


def test_a_long_reason_for_a_hold_is_kept_whole_in_the_history(provider):
    compliance = person_with_role(Role.COMPLIANCE_MANAGER, provider=provider, username="compliance")
    update = reporting.plan_update(
        by=compliance,
        provider=provider,
        title="Falls learning update for the council",
        audience=Audience.REGULATOR,
        issue_at=timezone.now() + timedelta(days=14),
    )
    reporting.place_hold(update, by=compliance, reason=LONG_REASON)
    assert update.history.latest("history_date").history_change_reason == f"Held: {LONG_REASON}"
