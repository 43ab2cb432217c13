"""Personas and helpers for the escalation engine's stories.

Oakwood Care Group (the `provider` fixture) has one person for each provider-level role in the chains,
a Deputy Regional Manager for the North, and service roles at Elm House. Times are UK time; Monday
23 November 2026 is an ordinary working Monday.
"""

from datetime import datetime
from itertools import count
from types import SimpleNamespace

import pytest

from escalation import services
from escalation.loading import load_chain_templates
from providers.calendar import LONDON
from providers.choices import Role
from tests.factories import ShiftPatternFactory, TeamFactory, person_with_role


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """A UK wall time; `at(23, 10, 19)` is Monday 23 November 2026, 10:19."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def chains(db):
    """The chain templates (loaded by the data migration; reloaded if a transactional test flushed them)."""
    load_chain_templates(update=False)


@pytest.fixture
def people(provider, north, elm_house, quality_director, nominated_individual, registered_manager):
    """One named person per role the chains need."""

    def provider_role(role, username):
        return person_with_role(role, provider=provider, username=username)

    return SimpleNamespace(
        quality_director=quality_director,
        nominated_individual=nominated_individual,
        registered_manager=registered_manager,
        operations_director=provider_role(Role.OPERATIONS_DIRECTOR, "ops"),
        provider_director=provider_role(Role.PROVIDER_DIRECTOR, "director"),
        governance_officer=provider_role(Role.GOVERNANCE_OFFICER, "governance"),
        compliance_manager=provider_role(Role.COMPLIANCE_MANAGER, "compliance"),
        performance_analyst=provider_role(Role.PERFORMANCE_ANALYST, "analyst"),
        resident_experience_lead=provider_role(Role.RESIDENT_EXPERIENCE_LEAD, "experience"),
        administrator=provider_role(Role.PROVIDER_ADMINISTRATOR, "admin"),
        deputy_regional_manager=person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="drm"),
        service_improvement_lead=person_with_role(
            Role.SERVICE_IMPROVEMENT_LEAD, service=elm_house, username="sil"
        ),
        clinical_lead=person_with_role(Role.CLINICAL_LEAD, service=elm_house, username="clinical"),
        practice_development_lead=person_with_role(
            Role.PRACTICE_DEVELOPMENT_LEAD, service=elm_house, username="practice"
        ),
        senior_carer=person_with_role(Role.SENIOR_CARER_LATE, service=elm_house, username="senior"),
        on_call_manager=person_with_role(Role.ON_CALL_MANAGER, service=elm_house, username="oncall"),
    )


@pytest.fixture
def shifts(elm_house):
    """Elm House's shifts: early, late, and a night shift crossing midnight."""
    return [
        ShiftPatternFactory(service=elm_house, name="early", start="07:00", end="15:00"),
        ShiftPatternFactory(service=elm_house, name="late", start="14:00", end="22:00"),
        ShiftPatternFactory(service=elm_house, name="night", start="21:30", end="07:30"),
    ]


@pytest.fixture
def subject(elm_house):
    """Makes subjects for cases: any model instance will do (here, a team named after the case)."""
    numbers = count(1)
    return lambda name="Serious failure at Elm House": TeamFactory(
        service=elm_house, name=f"{name} #{next(numbers)}"
    )


@pytest.fixture
def chain_a(chains, provider, elm_house, subject):
    """A chain A case: a serious failure confirmed at Elm House at 16:00 on Friday 20 November.

    Deadlines: A1 Monday 23rd 10:00 (an hour on Friday, an hour on Monday), then each step at its clock
    time after the one before: A2 10:18, A3 13:14, A4 16:06, A5 Tuesday 15:10.
    """
    return services.start_chain(
        "A", provider=provider, subject=subject(), anchor_at=at(20, 16), service=elm_house
    )


def step(run, code, occurrence=1):
    return run.step_runs.get(code=code, occurrence=occurrence)
