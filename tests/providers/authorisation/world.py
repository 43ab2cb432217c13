"""Two providers with one of everything, and one person per role, for stories about access.

Each provider has a region with three services: the source of a serious failure (S1), a matched
service where the learning is live (S2) and a service with nothing going on (S3). Its objects: an
incident, a trigger matched to S2 with a notice S2 acknowledged, a lead and a line, a newer trigger
whose notice to S2 is still to acknowledge (the world's `notice`), an import job, a deployment with
an observation (chain B), an escalation to S2's registered manager, a draft update with a failed
pack, a failed import job, and a released update covering S2 with the packs its release issued: the
provider's own full pack and one for the organisation that commissions S2.

Two commissioning organisations: the "council" commissions S2 at both providers; the "icb"
commissions oakwood's S1 and S3, which no update covers.

The people hold roles at the first provider ("oakwood") only, one person per role, plus:
`two_providers` (compliance manager at oakwood, performance analyst at riverside), `removed` (was
oakwood's S2 registered manager, told of its escalation and owner of its notice, then moved to a
service of riverside), and `other_commissioner` (works for the icb, at oakwood). The `commissioner`
works for the council, at oakwood only: the council's pack at riverside is not theirs to read.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile

from adoption import services as adoption
from escalation.choices import EscalationKind
from escalation.raising import EscalationSpec, raise_escalations
from learning_transfer import chain as learning_chain
from learning_transfer.choices import IncidentTheme
from learning_transfer.models import (
    ImplementationLead,
    ImplementationLine,
    ImportJob,
    Incident,
    LearningNotice,
    LearningTrigger,
    MatchedService,
)
from learning_transfer.services.notices import refresh_notice_figures
from learning_transfer.services.rollup import after_data_saved
from providers.calendar import LONDON
from providers.choices import ROLE_SCOPE, RiskTag, Role, Scope
from providers.models import Commissioner, RoleAssignment
from reporting_control.choices import Audience, PackStatus, UpdateStatus
from reporting_control.models import EvidencePack, ReportingLine, ReportingUpdate
from tests.factories import (
    ProviderFactory,
    RegionFactory,
    ServiceFactory,
    ShiftPatternFactory,
    TeamFactory,
    UserFactory,
    give_role,
)

# Monday 23 November 2026, 09:30 in London: an ordinary working morning.
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=LONDON)
SERVICE_ROLES = [role for role, scope in ROLE_SCOPE.items() if scope == Scope.SERVICE]


@dataclass
class Place:
    """One provider and its objects."""

    key: str
    provider: object
    region: object
    s1: object
    s2: object
    s3: object
    objects: dict = field(default_factory=dict)


def build_organisations() -> dict:
    """The commissioning organisations, by the key the personas' roles name them with."""
    return {
        "council": Commissioner.objects.create(name="Shire County Council"),
        "icb": Commissioner.objects.create(name="Shire Integrated Care Board"),
    }


def build_provider(key: str) -> Place:
    provider = ProviderFactory(name=f"{key.title()} Care")
    region = RegionFactory(provider=provider, name=f"{key.title()} region")
    s1, s2, s3 = (
        ServiceFactory(region=region, name=f"{key.title()} {n}", tags=[RiskTag.FALLS])
        for n in ("S1", "S2", "S3")
    )
    for name, start, end in (
        ("early", "07:00", "15:00"),
        ("late", "14:00", "22:00"),
        ("night", "21:30", "07:30"),
    ):
        ShiftPatternFactory(service=s2, name=name, start=start, end=end)
    team = TeamFactory(service=s2, name="Oak")
    return Place(key, provider, region, s1, s2, s3, {"team": team})


def helper(place: Place, role, **scope):
    """A person of the provider doing the work the objects need (not one of the personas)."""
    person = UserFactory(username=f"{place.key}-{role}")
    give_role(person, role, provider=place.provider, **scope)
    return person


def commission(place: Place, organisations: dict, *, icb: bool) -> None:
    """The council commissions S2; at oakwood the icb commissions the other two services."""
    place.s2.commissioners.add(organisations["council"])
    if icb:
        for service in (place.s1, place.s3):
            service.commissioners.add(organisations["icb"])


def build_objects(place: Place, organisations: dict, *, notice_owner, line_owner):
    """One of everything at the provider (S2's registered managers are told of its escalation)."""
    qd = helper(place, Role.QUALITY_DIRECTOR)
    rm = helper(place, Role.REGISTERED_MANAGER, service=place.s2)
    cm = helper(place, Role.COMPLIANCE_MANAGER)
    tag = place.key.title()
    incident = Incident.objects.create(
        service=place.s1,
        source_reference=f"{tag}-INC-1",
        occurred_at=NOW - timedelta(days=3),
        theme=IncidentTheme.FALL,
        harm_level="severe",
        description="A resident fell at night.",
    )
    trigger = LearningTrigger.objects.create(
        provider=place.provider,
        title=f"Trigger of {tag}",
        source_service=place.s1,
        source_incident=incident,
        theme=IncidentTheme.FALL,
        risk_tags=[RiskTag.FALLS],
        what_happened="A resident fell at night.",
        confirmed_at=NOW - timedelta(days=2),
        matched_at=NOW - timedelta(days=2),
        learning_statement="Night checks follow the falls-risk plan.",
        status="issued",
        notices_issued_at=NOW - timedelta(days=2),
        logged_by=qd,
    )
    # As an import or manual entry does; after the trigger, so the incident's flag reads decided.
    after_data_saved([place.s1.pk])
    learning_chain.start(trigger, qd)
    match = MatchedService.objects.create(trigger=trigger, service=place.s2, included=True)
    # S2 received this learning (learning is deployed only once received) and put it live below.
    LearningNotice.objects.create(
        matched_service=match,
        owner=rm,
        issued_at=NOW - timedelta(days=2),
        issued_by=qd,
        due_at=NOW + timedelta(days=1),
        acknowledged_at=NOW - timedelta(days=2) + timedelta(hours=1),
        acknowledged_by=rm,
    )
    # A newer learning's notice, still to acknowledge: the notice the stories act on.
    newer = LearningTrigger.objects.create(
        provider=place.provider,
        title=f"Newer trigger of {tag}",
        source_service=place.s1,
        theme=IncidentTheme.FALL,
        risk_tags=[RiskTag.FALLS],
        what_happened="A resident fell again.",
        confirmed_at=NOW - timedelta(days=1),
        matched_at=NOW - timedelta(days=1),
        learning_statement="Night checks follow the falls-risk plan.",
        status="issued",
        notices_issued_at=NOW - timedelta(days=1),
        logged_by=qd,
    )
    learning_chain.start(newer, qd)
    newer_match = MatchedService.objects.create(trigger=newer, service=place.s2, included=True)
    notice = LearningNotice.objects.create(
        matched_service=newer_match,
        owner=notice_owner or rm,
        issued_at=NOW - timedelta(days=1),
        issued_by=qd,
        due_at=NOW + timedelta(days=1),
    )
    refresh_notice_figures([match.pk, newer_match.pk])  # as every writer of a notice does
    match.refresh_from_db()  # the receipt figures just kept
    ImplementationLead.objects.create(
        matched_service=match, person=rm, confirmed_at=NOW - timedelta(days=1), confirmed_by=rm
    )
    line = ImplementationLine.objects.create(
        service=place.s2,
        matched_service=match,
        task="Re-brief the night team",
        owner=line_owner or rm,
        due_at=NOW + timedelta(days=2),
        created_by=rm,
    )
    job = ImportJob.objects.create(
        provider=place.provider, kind="incidents", original_name="incidents.csv", file="x.csv", created_by=qd
    )
    failed_job = ImportJob.objects.create(
        provider=place.provider,
        kind="incidents",
        original_name="broken.csv",
        file="broken.csv",
        created_by=qd,
        status=ImportJob.FAILED,
    )
    deployment = adoption.deploy_learning(
        match,
        by=rm,
        deployed_at=NOW - timedelta(hours=20),
        baseline_completion_pct=80,
        baseline_omissions_per_100=2,
        baseline_wound_care_pct=88,
        baseline_risk_note_pct=90,
        baseline_drill_pct=85,
        deploy_anyway=True,  # leads are given their roles after, as the story goes
    )
    b1 = deployment_step_run(deployment, "B1")
    sil = helper(place, Role.SERVICE_IMPROVEMENT_LEAD, service=place.s2)
    observation = adoption.record_team_observation(
        deployment,
        by=sil,
        step_code="B1",
        values={"record_completion_pct": 81},
        team=place.objects["team"],
        observed_at=NOW - timedelta(hours=2),
    )
    [escalation] = raise_escalations(
        [
            EscalationSpec(
                step_run=b1,
                kind=EscalationKind.OVERDUE,
                target_role=Role.REGISTERED_MANAGER,
                reason=f"Escalation of {tag}",
                action="Reset the implementation on this shift.",
                window=Decimal(1),
                occurred_at=NOW - timedelta(hours=1),
                service=place.s2,
            )
        ],
        NOW - timedelta(hours=1),
    )
    draft = ReportingUpdate.objects.create(
        provider=place.provider,
        title=f"Draft update of {tag}",
        audience=Audience.COMMISSIONER,
        issue_at=NOW + timedelta(days=14),
        created_by=cm,
    )
    draft.services.set([place.s2])
    draft_line = ReportingLine.objects.create(
        update=draft, order=1, claim="Falls learning adopted at S2.", kind="named_service"
    )
    released = ReportingUpdate.objects.create(
        provider=place.provider,
        title=f"Released update of {tag}",
        audience=Audience.COMMISSIONER,
        issue_at=NOW - timedelta(days=1),
        created_by=cm,
        status=UpdateStatus.RELEASED,
        released_at=NOW - timedelta(days=1),
        released_by=cm,
    )
    released.services.set([place.s2])
    pack = released_pack(released, cm, place.key)
    commissioner_pack = released_pack(released, cm, f"{place.key}-council", organisations["council"])
    failed_pack = EvidencePack.objects.create(
        update=draft, status=PackStatus.FAILED, failure="Stopped.", requested_by=cm, requested_at=NOW
    )
    place.objects.update(
        incident=incident,
        trigger=trigger,
        match=match,
        notice=notice,
        line=line,
        job=job,
        failed_job=failed_job,
        deployment=deployment,
        observation=observation,
        escalation=escalation,
        chain_run=escalation.chain_run,
        step_run=b1,
        draft=draft,
        draft_line=draft_line,
        released=released,
        pack=pack,
        commissioner_pack=commissioner_pack,
        failed_pack=failed_pack,
    )
    return place


def released_pack(update, by, name: str, commissioner=None) -> EvidencePack:
    """A ready pack the release issued: the provider's own, or the one for `commissioner`."""
    pack = EvidencePack(
        update=update,
        commissioner=commissioner,
        status=PackStatus.READY,
        progress=100,
        for_release=True,
        sha256="0" * 64,
        requested_by=by,
        requested_at=NOW - timedelta(days=1),
        built_at=NOW - timedelta(days=1),
    )
    pack.file.save(f"{name}.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return pack


def deployment_step_run(deployment, code):
    from adoption import chain

    return chain.run_for(deployment).step_runs.filter(code=code).order_by("due_at").first()


# Persona -> the roles it holds at oakwood: (role, scope) with scope "provider", "region" or a service,
# and for a commissioner the organisation it acts for ("council" or "icb").
PERSONA_ROLES = {
    "nominated_individual": [(Role.NOMINATED_INDIVIDUAL, "provider")],
    "provider_director": [(Role.PROVIDER_DIRECTOR, "provider")],
    "quality_director": [(Role.QUALITY_DIRECTOR, "provider")],
    "operations_director": [(Role.OPERATIONS_DIRECTOR, "provider")],
    "compliance_manager": [(Role.COMPLIANCE_MANAGER, "provider")],
    "governance_officer": [(Role.GOVERNANCE_OFFICER, "provider")],
    "performance_analyst": [(Role.PERFORMANCE_ANALYST, "provider")],
    "resident_experience_lead": [(Role.RESIDENT_EXPERIENCE_LEAD, "provider")],
    "provider_administrator": [(Role.PROVIDER_ADMINISTRATOR, "provider")],
    "deputy_regional_manager": [(Role.DEPUTY_REGIONAL_MANAGER, "region")],
    **{role.value: [(role, "s2")] for role in SERVICE_ROLES if role != Role.COMMISSIONER},
    "commissioner": [(Role.COMMISSIONER, "council")],
    "two_providers": [(Role.COMPLIANCE_MANAGER, "provider")],
    "removed": [],
    "other_commissioner": [(Role.COMMISSIONER, "icb")],
}
PERSONAS = [*PERSONA_ROLES, "anonymous"]


def _give(person, role, scope, place: Place, organisations: dict):
    if role == Role.COMMISSIONER:
        give_role(person, role, provider=place.provider, commissioner=organisations[scope])
    elif scope == "provider":
        give_role(person, role, provider=place.provider)
    elif scope == "region":
        give_role(person, role, region=place.region)
    else:
        give_role(person, role, service=getattr(place, scope))


@dataclass
class World:
    places: dict
    people: dict


def build_world(*, move_away: bool = True) -> World:
    """Both providers, their objects, and the personas (see the module's docstring). With
    `move_away=False` the `removed` person still holds their role at oakwood (see `move_away`)."""
    oakwood, riverside = build_provider("oakwood"), build_provider("riverside")
    organisations = build_organisations()
    commission(oakwood, organisations, icb=True)
    commission(riverside, organisations, icb=False)
    people = {name: UserFactory(username=name) for name in PERSONA_ROLES}
    for name, roles in PERSONA_ROLES.items():
        for role, scope in roles:
            _give(people[name], role, scope, oakwood, organisations)
    give_role(people["two_providers"], Role.PERFORMANCE_ANALYST, provider=riverside.provider)
    # The person whose role is removed: oakwood's S2 registered manager while the objects are made.
    removed = people["removed"]
    give_role(removed, Role.REGISTERED_MANAGER, service=oakwood.s2)
    build_objects(oakwood, organisations, notice_owner=removed, line_owner=people["service_improvement_lead"])
    build_objects(riverside, organisations, notice_owner=None, line_owner=None)
    world = World(places={"oakwood": oakwood, "riverside": riverside}, people=people)
    if move_away:
        move_removed_person_away(world)
    return world


def move_removed_person_away(world: World) -> None:
    """The `removed` person's roles at oakwood are removed; they become a manager at riverside."""
    removed = world.people["removed"]
    RoleAssignment.objects.filter(user=removed, provider=world.places["oakwood"].provider).delete()
    give_role(removed, Role.REGISTERED_MANAGER, service=world.places["riverside"].s3)
