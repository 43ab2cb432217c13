"""Personas and a deployable matched service for chain B stories.

Elm House runs early, late and night shifts and has three teams. The learning comes from a serious
failure at Birch Lodge; Elm House is a matched service with a confirmed implementation lead.
Times are UK time; Monday 23 November 2026 is an ordinary working Monday.
"""

from datetime import datetime
from types import SimpleNamespace

import pytest

from adoption import services
from escalation.loading import load_chain_templates
from learning_transfer.models import ImplementationLead, LearningTrigger, MatchedService
from providers.calendar import LONDON
from providers.choices import RiskTag, Role
from tests.factories import ShiftPatternFactory, TeamFactory, person_with_role


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UK wall time in November 2026; `at(23, 9)` is Monday 23 November, 09:00."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def chains(db):
    load_chain_templates(update=False)


@pytest.fixture
def shifts(elm_house):
    return [
        ShiftPatternFactory(service=elm_house, name="early", start="07:00", end="15:00"),
        ShiftPatternFactory(service=elm_house, name="late", start="14:00", end="22:00"),
        ShiftPatternFactory(service=elm_house, name="night", start="21:30", end="07:30"),
    ]


@pytest.fixture
def teams(elm_house):
    return {name: TeamFactory(service=elm_house, name=name) for name in ("Oak", "Ash", "Yew")}


@pytest.fixture
def people(provider, north, elm_house, registered_manager):
    return SimpleNamespace(
        registered_manager=registered_manager,
        operations_director=person_with_role(Role.OPERATIONS_DIRECTOR, provider=provider, username="ops"),
        deputy_regional_manager=person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="drm"),
        service_improvement_lead=person_with_role(
            Role.SERVICE_IMPROVEMENT_LEAD, service=elm_house, username="sil"
        ),
        clinical_lead=person_with_role(Role.CLINICAL_LEAD, service=elm_house, username="clinical"),
        # Every role that records a chain B check is held at Elm House: deploying there asks nothing.
        practice_development_lead=person_with_role(
            Role.PRACTICE_DEVELOPMENT_LEAD, service=elm_house, username="practice"
        ),
        senior_carer_late=person_with_role(Role.SENIOR_CARER_LATE, service=elm_house, username="late-carer"),
        quality_director=person_with_role(Role.QUALITY_DIRECTOR, provider=provider, username="quality"),
    )


def make_match(service, source, by, *, included=True, with_lead=True, title="Missed insulin dose"):
    """A matched service of a new issued trigger at `source`, with its implementation lead confirmed."""
    trigger = LearningTrigger.objects.create(
        provider=service.provider,
        title=title,
        source_service=source,
        theme="medication",
        risk_tags=[RiskTag.MEDICATION],
        what_happened="A dose was missed.",
        confirmed_at=at(16, 10),
        status="issued",
        logged_by=by,
    )
    match = MatchedService.objects.create(trigger=trigger, service=service, included=included)
    if with_lead:
        ImplementationLead.objects.create(
            matched_service=match, person=by, confirmed_at=at(17, 9), confirmed_by=by
        )
    return match


@pytest.fixture
def match(chains, elm_house, birch_lodge, shifts, people):
    return make_match(elm_house, birch_lodge, people.registered_manager)


def deploy(match, by, deployed_at=None, **overrides):
    """Deploy with ordinary baselines: 80 % completion; 2 omissions per 100 administrations, 88 % of
    wound-care entries in time and 90 % of risk notes in the same shift; 85 % at the last drill. At a
    service where some checks' roles are not held, anyway (tests of that refusal pass deploy_anyway=False)."""
    fields = {
        "by": by,
        "deploy_anyway": True,
        "deployed_at": deployed_at or at(23, 9),
        "baseline_completion_pct": 80,
        "baseline_omissions_per_100": 2,
        "baseline_wound_care_pct": 88,
        "baseline_risk_note_pct": 90,
        "baseline_drill_pct": 85,
    }
    return services.deploy_learning(match, **(fields | overrides))


def observation_form(teams, **changes) -> dict:
    """The deployment page's form fields for the Yew team's late-shift B2 figure (88 %), with `changes`."""
    return {
        "measure": "B2:risk_note_updates_same_shift_pct",
        "team": teams["Yew"].pk,
        "shift_name": "late",
        "value": "88",
        "observed_at": "2026-11-23 14:00",
    } | changes
