"""A week of ticks over a realistic mixed set raises exactly the escalations it always raised.

Two providers with different working hours, three chains, cases with and without a service, a step
run per region, a tuned response window, several holders of one role (told in name order), an inactive
holder (not told), holders at a service, in a region and for the provider, a role nobody holds (the
Nominated Individual is told), a provider where nobody holds anything, an "immediately" window, a
breach and a weak group that climb as follow-ups, an acknowledged escalation that stops climbing, and a
lost claim whose escalation already exists.

Everything the ticks write (escalations, who is told, the outbox, the events, in the order written)
is compared with `tick_expected.json`, which records what the engine raised for this story. When a
change to what is raised is intended, rewrite it with `REWRITE_TICK_EXPECTED=1` and review the diff.
"""

import json
import os
from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest

from escalation import engine, services, weak_groups
from escalation.choices import EventKind
from escalation.models import (
    EngineEvent,
    Escalation,
    Notification,
    ProviderStepSetting,
    StepRun,
    StepTemplate,
)
from escalation.rules import Evaluation
from providers.calendar import LONDON
from providers.choices import Role
from tests.factories import (
    CHECK_DONE,
    ProviderFactory,
    RegionFactory,
    ServiceFactory,
    TeamFactory,
    person_with_role,
)

from .conftest import at

pytestmark = pytest.mark.django_db

EXPECTED = Path(__file__).with_name("tick_expected.json")
TICKS = [
    at(23, 10, 1),
    at(23, 10, 20),
    at(23, 12, 30),
    at(23, 16, 30),
    at(24, 11, 30),
    at(25, 17),
    at(26, 12),
]
A2_BREACH = {"pct_received_within_4h": 75, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}


def person(role, username, first, last, **scope):
    return person_with_role(role, username=username, first_name=first, last_name=last, **scope)


@pytest.fixture
def story(chains, provider, north, south, elm_house, birch_lodge, cedar_court, shifts):
    """The cases and people of the story (see the module's docstring)."""
    faraway = ProviderFactory(name="Faraway Care Ltd", working_day_start=time(8), working_day_end=time(16))
    faraway_manor = ServiceFactory(name="Faraway Manor", region=RegionFactory(provider=faraway, name="West"))
    at_provider = {"provider": provider}
    person(Role.NOMINATED_INDIVIDUAL, "ni", "Nora", "Ingram", **at_provider)
    person(Role.OPERATIONS_DIRECTOR, "ops-young", "Olive", "Young", **at_provider)
    person(Role.OPERATIONS_DIRECTOR, "ops-abbott", "Oscar", "Abbott", **at_provider)
    person(Role.PROVIDER_DIRECTOR, "director", "Paula", "Dean", **at_provider)
    quality = person(Role.QUALITY_DIRECTOR, "quality", "Quentin", "Hale", **at_provider)
    person(Role.COMPLIANCE_MANAGER, "compliance", "Cara", "Mills", **at_provider)
    gone = person(Role.COMPLIANCE_MANAGER, "compliance-gone", "Colin", "Old", **at_provider)
    gone.is_active = False
    gone.save()
    governance = person(Role.GOVERNANCE_OFFICER, "governance", "Gina", "Gow", **at_provider)
    person(Role.REGISTERED_MANAGER, "elm-manager", "Rita", "Elm", service=elm_house)
    person(Role.REGISTERED_MANAGER, "south-manager", "Ron", "South", provider=provider, region=south)
    person(Role.ON_CALL_MANAGER, "on-call", "Owen", "Call", service=elm_house)

    def case(chain, name, anchor, **kwargs):
        subject = TeamFactory(service=kwargs.get("service") or elm_house, name=name)
        return services.start_chain(chain, subject=subject, anchor_at=anchor, **kwargs)

    elm_a = case("A", "Fall at Elm House", at(20, 16), provider=provider, service=elm_house)
    case(
        "A",
        "Medication error at Cedar Court",
        at(23, 9),
        provider=provider,
        service=cedar_court,
        regions=[north, south],
    )
    elm_b = case("B", "Falls learning at Elm House", at(23, 6), provider=provider, service=elm_house)
    case("C", "Faraway winter update", at(30, 10), provider=faraway)
    case("C", "Cedar Court commissioner update", at(1, 10, month=12), provider=provider, service=cedar_court)
    # Oakwood gives A1 escalations a window and a half from here on; the cases above keep theirs.
    ProviderStepSetting.objects.create(
        provider=provider,
        step=StepTemplate.objects.get(code="A1"),
        response_working_hours=Decimal("1.5"),
        reason="The operations directors cover several regions.",
    )
    case("A", "Fall at Birch Lodge", at(20, 16), provider=provider, service=birch_lodge)
    case("C", "Birch Lodge update", at(2, 10, month=12), provider=provider, service=birch_lodge)
    case("A", "Fall at Faraway Manor", at(20, 15), provider=faraway, service=faraway_manor)
    return {"elm_a": elm_a, "elm_b": elm_b, "quality": quality, "governance": governance}


def local(value) -> str | None:
    return value.astimezone(LONDON).isoformat() if value else None


def written(reports) -> dict:
    """What the ticks wrote, in the order written, with rows named rather than numbered."""
    escalations = Escalation.objects.select_related("step_run__region", "chain_run", "service")
    names = {e.pk: name(e) for e in escalations}
    users = {}
    for n in Notification.objects.select_related("user"):
        users[n.user_id] = n.user.username
    for e in EngineEvent.objects.exclude(data={}):
        for pk in e.data.get("recipients", []):
            users.setdefault(pk, None)
    return {
        "ticks": [
            {"overdue": [names[e.pk] for e in r.overdue], "follow_ups": [names[e.pk] for e in r.follow_ups]}
            for r in reports
        ],
        "escalations": [
            {
                "name": names[e.pk],
                "service": e.service.name if e.service else None,
                "parent": names.get(e.parent_id),
                "root": names.get(e.root_id),
                "target_role": e.target_role,
                "role_gap": e.role_gap,
                "reason": e.reason,
                "action": e.action,
                "rule": json.dumps(e.rule, sort_keys=True),
                "deciding": json.dumps(e.deciding, sort_keys=True),
                "window": str(e.response_working_hours),
                "occurred_at": local(e.occurred_at),
                "raised_at": local(e.raised_at),
                "acknowledge_by": local(e.acknowledge_by),
                "follow_up_due": e.follow_up_due,
                "state": e.state,
            }
            for e in escalations.order_by("pk")
        ],
        "outbox": [
            [names[n.escalation_id], n.user.username, n.email, local(n.created_at), local(n.sent_at)]
            for n in Notification.objects.select_related("user").order_by("pk")
        ],
        "events": [
            [
                e.kind,
                local(e.at),
                e.chain_run.subject_label if e.chain_run else None,
                e.step_run.code if e.step_run else None,
                names.get(e.escalation_id),
                e.message,
                {k: [users.get(pk, pk) for pk in v] if k == "recipients" else v for k, v in e.data.items()},
            ]
            for e in EngineEvent.objects.select_related("chain_run", "step_run")
            .exclude(kind=EventKind.CHAIN_STARTED)  # stamped with the wall clock, not the story's
            .order_by("pk")
        ],
        "steps": sorted(
            [s.chain_run.subject_label, s.code, s.occurrence, s.state, local(s.overdue_at)]
            for s in StepRun.objects.select_related("chain_run").exclude(state="due")
        ),
    }


def one_row_a_line(parts: dict) -> str:
    """JSON with one row per line, so a change to what is raised reads as a short diff."""
    dumped = (
        f"{json.dumps(part)}: [\n"
        + ",\n".join(json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows)
        + "\n]"
        for part, rows in parts.items()
    )
    return "{\n" + ",\n".join(dumped) + "\n}\n"


def name(e: Escalation) -> str:
    step = e.step_run
    where = f" {step.region.name}" if step.region_id else ""
    group = f" [{e.group}]" if e.group else ""
    return f"{e.chain_run.subject_label}: {step.code}#{step.occurrence}{where} {e.kind}{group} L{e.level}"


def test_a_week_of_ticks_raises_what_it_always_raised(story, django_capture_on_commit_callbacks):
    reports = [engine.tick(TICKS[0])]
    a2 = story["elm_a"].step_runs.get(code="A2")
    services.record_step(
        a2, by=story["governance"], values=A2_BREACH, now=at(23, 10, 10), check_done=CHECK_DONE
    )
    night = Evaluation(breached=True, deciding={"record_completion_pct": 82}, explanation=["+2 points"])
    weak_groups.raise_weak_group_escalations(
        story["elm_b"], "B1", [("team Night", night)], occurred_at=at(23, 10, 15), now=at(23, 10, 15)
    )
    reports.append(engine.tick(TICKS[1]))
    reports.append(engine.tick(TICKS[2]))
    # The Quality Director owns the breach's thread: it climbs no further.
    breach = Escalation.objects.get(kind="breach")
    services.acknowledge(breach, by=story["quality"], now=at(23, 12, 40))
    # A1 of the Elm House case loses its claim: claimed again, its escalation already exists.
    story["elm_a"].step_runs.filter(code="A1").update(state="due")
    for now in TICKS[3:]:
        reports.append(engine.tick(now))

    got = written(reports)
    if os.environ.get("REWRITE_TICK_EXPECTED"):
        EXPECTED.write_text(one_row_a_line(got))
    expected = json.loads(EXPECTED.read_text())
    for part in expected:
        assert got[part] == expected[part], part
