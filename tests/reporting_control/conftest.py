"""Fixtures for chain C stories: a falls trigger matched to two services, the people who run chain C,
and a short way to plan an update with lines."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from learning_transfer.models import LearningNotice, MatchedService
from learning_transfer.services.notices import refresh_notice_figures
from providers.choices import Role
from reporting_control import services
from reporting_control.choices import Audience, LineKind
from tests.factories import check_and_sign_off, falls_trigger, person_with_role

LONDON = ZoneInfo("Europe/London")


def next_issue_at(days: int = 14) -> datetime:
    """An issue date-time comfortably in the future, at 10:00 London time."""
    day = (timezone.now() + timedelta(days=days)).astimezone(LONDON)
    return day.replace(hour=10, minute=0, second=0, microsecond=0)


@pytest.fixture(autouse=True)
def _fixed_clock():
    """Issue dates count from the current time: every chain C test starts on the same Monday morning."""
    with time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=LONDON), tick=True):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def compliance_manager(provider):
    return person_with_role(Role.COMPLIANCE_MANAGER, provider=provider, username="compliance")


@pytest.fixture
def provider_director(provider):
    return person_with_role(Role.PROVIDER_DIRECTOR, provider=provider, username="director")


@pytest.fixture
def operations_director(provider):
    return person_with_role(Role.OPERATIONS_DIRECTOR, provider=provider, username="operations")


@pytest.fixture
def trigger(provider, elm_house, quality_director):
    """A falls trigger at Elm House, matched to Birch Lodge and Cedar Court (both included)."""
    return falls_trigger(provider, elm_house, quality_director)


@pytest.fixture
def birch_match(trigger, birch_lodge):
    return MatchedService.objects.create(trigger=trigger, service=birch_lodge)


@pytest.fixture
def cedar_match(trigger, cedar_court):
    return MatchedService.objects.create(trigger=trigger, service=cedar_court)


def verify(match, by=None):
    """Verified implementation at the matched service: the only adoption evidence there is."""
    match.implementation_confirmed_at = timezone.now() - timedelta(days=2)
    match.implementation_confirmed_by = by
    match.save()
    return match


def send_notice(match, by, acknowledged=True):
    """A learning notice to the service, acknowledged: not adoption evidence."""
    now = timezone.now() - timedelta(days=10)
    notice = LearningNotice.objects.create(
        matched_service=match,
        issued_at=now,
        issued_by=by,
        acknowledged_at=now + timedelta(hours=1) if acknowledged else None,
    )
    refresh_notice_figures([match.pk])  # as every writer of a notice does
    return notice


@pytest.fixture
def plan(provider, compliance_manager, trigger, birch_lodge, cedar_court):
    """Plan an update covering Birch Lodge and Cedar Court, linked to the falls trigger."""

    def plan(title="Falls learning update for the council", services_covered=None, **overrides):
        fields = {
            "by": compliance_manager,
            "provider": provider,
            "title": title,
            "audience": Audience.COMMISSIONER,
            "issue_at": next_issue_at(),
            "triggers": [trigger],
            "services": services_covered if services_covered is not None else [birch_lodge, cedar_court],
        }
        return services.plan_update(**(fields | overrides))

    return plan


@pytest.fixture
def update_with_a_line(plan, compliance_manager, birch_lodge, birch_match):
    """Plan an update with one named-service line at Birch Lodge. The line is evidenced only if Birch
    Lodge's implementation was verified first (`verify`); otherwise it lacks evidence."""

    def make(**overrides):
        update = plan(**overrides)
        services.add_line(
            update,
            by=compliance_manager,
            claim="Birch Lodge now checks falls risk at every night round.",
            kind=LineKind.NAMED_SERVICE,
            services=[birch_lodge],
        )
        return update

    return make


@pytest.fixture
def evidenced_update(update_with_a_line, provider_director, birch_match):
    """An update with one named-service line whose service has verified implementation, checked (its
    figures once (C2), C1, C3, C4) and signed off by the Provider Director (C5), so it may be released."""
    verify(birch_match)
    update = update_with_a_line()
    check_and_sign_off(update, provider_director)
    return update
