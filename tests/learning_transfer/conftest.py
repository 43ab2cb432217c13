"""Fixtures for chain A stories: a fixed 'now', incidents and care hours written the short way."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from escalation import services as engine
from escalation.models import StepTemplate
from learning_transfer.choices import IncidentTheme
from learning_transfer.models import CareHours, Incident
from learning_transfer.services import log_trigger
from learning_transfer.services.rollup import after_data_saved
from providers.choices import RiskLevel, RiskTag, Role
from tests.factories import ServiceFactory, person_with_role

LONDON = ZoneInfo("Europe/London")
# Confirmation on Wednesday 18 November 2026 at 10:00: the rate window is Wed 11 to Tue 17 November.
CONFIRMED = datetime(2026, 11, 18, 10, 0, tzinfo=LONDON)
WINDOW = [date(2026, 11, 11) + timedelta(days=n) for n in range(7)]
# The pages and the engine's pre-fill read the clock; every chain A test starts on the same Monday
# morning (tests that need another instant travel there themselves).
TESTS_START = datetime(2026, 11, 23, 9, 30, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(TESTS_START, tick=True):
        yield


def save_in_chunks_of(monkeypatch, rows: int) -> None:
    """Make an import save its rows, and show its progress, every `rows` rows, whichever way it saves
    (COPY on PostgreSQL, the ORM elsewhere)."""
    from learning_transfer import services

    monkeypatch.setattr(services.incidents, "CHUNK_ROWS", rows)
    monkeypatch.setattr(services.copy_merge, "CHUNK_ROWS", rows)


def add_care_hours(service, per_day, days=WINDOW):
    """Care hours written the short way, counted into the daily roll-up as an import would."""
    CareHours.objects.bulk_create(CareHours(service=service, day=d, hours=Decimal(per_day)) for d in days)
    after_data_saved([service.pk], min(days), max(days))


def add_incidents(service, count, theme=IncidentTheme.FALL, day=date(2026, 11, 12), prefix=None, **fields):
    """`count` incidents at the service on one day (at 10:00, 10:01 …), with unique references."""
    prefix = prefix or f"{service.pk}-{theme}-{day:%m%d}"
    incidents = [
        Incident.objects.create(
            service=service,
            source_reference=f"{prefix}-{n}",
            occurred_at=datetime.combine(day, time(10, n), tzinfo=LONDON),
            theme=theme,
            **fields,
        )
        for n in range(count)
    ]
    after_data_saved([service.pk], day, day)  # as an import or manual entry does
    return incidents


@pytest.fixture
def falls_provider(provider, north, south, elm_house):
    """Hand-worked example. Rates per 100 care hours over the 7-day window:

    Elm House (source, falls+medication) 7 incidents / 700 h = 1.0
    Ash Grove  (falls)        7 / 700  = 1.0   equal to the median: NOT above it
    Beech Lodge (falls)       7 / 1400 = 0.5
    Cedar Court (falls)       0 / 700  = 0.0   a service with no incidents
    Dove Cottage (falls)      2 / 0 h  = none  no care hours recorded: no rate
    Ember Court (medication)  14 / 700 = 2.0   not matched (no falls tag), but in the median
    Fern Home Care (falls, home care)  not matched: a different service type
    Median of 1.0, 1.0, 0.5, 0.0, 2.0 (Dove has no rate; Fern none) = 1.0.
    """
    services = {
        "elm": elm_house,
        "ash": ServiceFactory(
            region=north, name="Ash Grove", tags=[RiskTag.FALLS], risk_level=RiskLevel.HIGH
        ),
        "beech": ServiceFactory(region=north, name="Beech Lodge", tags=[RiskTag.FALLS]),
        "cedar": ServiceFactory(region=south, name="Cedar Court", tags=[RiskTag.FALLS, RiskTag.NUTRITION]),
        "dove": ServiceFactory(
            region=south, name="Dove Cottage", tags=[RiskTag.FALLS], risk_level=RiskLevel.HIGH
        ),
        "ember": ServiceFactory(region=south, name="Ember Court", tags=[RiskTag.MEDICATION]),
        "fern": ServiceFactory(
            region=south, name="Fern Home Care", service_type="home_care", tags=[RiskTag.FALLS]
        ),
    }
    for key, per_day in {"elm": 100, "ash": 100, "beech": 200, "cedar": 100, "ember": 100}.items():
        add_care_hours(services[key], per_day)
    for key, count in {"elm": 7, "ash": 7, "beech": 7, "dove": 2}.items():
        add_incidents(services[key], count)
    add_incidents(services["ember"], 14, theme=IncidentTheme.MEDICATION)
    return services


@pytest.fixture
def log_falls_trigger(falls_provider, quality_director):
    """Log the falls trigger at Elm House, as the quality director, confirmed at CONFIRMED."""

    def log(**overrides):
        fields = {
            "by": quality_director,
            "source_service": falls_provider["elm"],
            "title": "Unwitnessed fall at night",
            "theme": IncidentTheme.FALL,
            "risk_tags": [RiskTag.FALLS],
            "what_happened": "A resident fell at 02:10 and was found at 03:40.",
            "confirmed_at": CONFIRMED,
            "learning_statement": "Night checks must follow the falls-risk plan, not a fixed round.",
            "now": CONFIRMED + timedelta(minutes=5),
        }
        return log_trigger(**(fields | overrides))

    return log


@pytest.fixture
def managers(falls_provider):
    """A registered manager named on each matched falls service (they own the notices)."""
    people = {}
    for key in ("ash", "beech", "cedar", "dove"):
        service = falls_provider[key]
        person = person_with_role(Role.REGISTERED_MANAGER, service=service, username=f"{key}-manager")
        service.registered_manager = person
        service.save()
        people[key] = person
    return people


@pytest.fixture
def governance_officer(provider):
    return person_with_role(Role.GOVERNANCE_OFFICER, provider=provider, username="governance")


@pytest.fixture
def operations_director(provider):
    return person_with_role(Role.OPERATIONS_DIRECTOR, provider=provider, username="operations")


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


@pytest.fixture
def tune(provider, administrator):
    """Tune one step's measure parameters for the provider, as its administrator, keeping the step's
    rule and response time: tune("A2", {"pct_received_within_4h": {"window_hours": 6}})."""

    def tune_step(code: str, parameters: dict, reason: str = "Our services asked for another window."):
        step = StepTemplate.objects.get(code=code)
        return engine.tune_step(
            provider,
            step,
            by=administrator,
            reason=reason,
            threshold_rule=step.threshold_rule,
            response_working_hours=step.response_working_hours,
            measure_parameters=parameters,
        )

    return tune_step


def trigger_form(falls_provider, **changes) -> dict:
    """What the "Log a serious failure" form sends for the falls trigger at Elm House, with `changes`."""
    fields = {
        "source_service": falls_provider["elm"].pk,
        "title": "Unwitnessed fall",
        "theme": "fall",
        "risk_tags": ["falls"],
        "match_same_service_type": "on",
        "what_happened": "A resident fell.",
        "confirmed_at": CONFIRMED.strftime("%Y-%m-%dT%H:%M"),
    }
    return fields | changes
