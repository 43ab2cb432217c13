"""Create a realistic demo provider (and a second one, to prove isolation) with 90 days of data.

Running it again changes nothing unless --reset is given: the demo is recognised by its CQC provider ID.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts import two_factor
from adoption.demo import build_adoption_story
from adoption.models import Deployment
from demo.engine_replay import replay_engine
from escalation.models import ChainRun, EngineEvent, Escalation
from learning_transfer.choices import HarmLevel, IncidentTheme
from learning_transfer.demo import build_learning_story
from learning_transfer.models import CareHours, ImportJob, Incident, LearningTrigger
from learning_transfer.services.rollup import after_data_saved
from providers.choices import RiskLevel, RiskTag, Role, ServiceType
from providers.models import (
    Commissioner,
    Provider,
    Region,
    RoleAssignment,
    Service,
    ServiceRiskTag,
    ShiftPattern,
    Team,
    User,
)
from reporting_control.demo import build_reporting_story
from reporting_control.models import ReportingUpdate

DEMO_PROVIDER_ID = "1-DEMO0001"
OTHER_PROVIDER_ID = "1-DEMO0002"
COUNCIL = "Lancashire County Council"
ICB = "NHS Integrated Care Board"

RT, ST = RiskTag, ServiceType
CARE_HOME_SHIFTS = [
    ("early", time(7), time(15)),
    ("late", time(14), time(22)),
    ("night", time(21, 30), time(7, 30)),
]
HOME_CARE_SHIFTS = [("morning calls", time(7), time(14)), ("late", time(14), time(22))]

# (name, region, type, risk level, weekly care hours, risk tags)
SERVICES = [
    (
        "Elm House",
        "North West",
        ST.RESIDENTIAL,
        RiskLevel.HIGH,
        5200,
        [RT.FALLS, RT.MEDICATION, RT.NIGHT_STAFFING],
    ),
    (
        "Birch Lodge",
        "North West",
        ST.NURSING,
        RiskLevel.HIGH,
        6800,
        [RT.FALLS, RT.WOUND_CARE, RT.DETERIORATION],
    ),
    ("Rowan Court", "North West", ST.RESIDENTIAL, RiskLevel.MEDIUM, 4300, [RT.FALLS, RT.MEDICATION]),
    (
        "Meadow View Home Care",
        "North West",
        ST.HOME_CARE,
        RiskLevel.MEDIUM,
        2100,
        [RT.MISSED_CALLS, RT.MEDICATION],
    ),
    (
        "Willow Bank",
        "Yorkshire",
        ST.NURSING,
        RiskLevel.HIGH,
        7100,
        [RT.FALLS, RT.WOUND_CARE, RT.AGENCY_RELIANCE],
    ),
    ("Hawthorn House", "Yorkshire", ST.RESIDENTIAL, RiskLevel.MEDIUM, 3900, [RT.FALLS, RT.NIGHT_STAFFING]),
    (
        "Aire Valley Supported Living",
        "Yorkshire",
        ST.SUPPORTED_LIVING,
        RiskLevel.LOW,
        2600,
        [RT.SAFEGUARDING, RT.MEDICATION],
    ),
    (
        "Calder Home Care",
        "Yorkshire",
        ST.HOME_CARE,
        RiskLevel.MEDIUM,
        1800,
        [RT.MISSED_CALLS, RT.AGENCY_RELIANCE],
    ),
    (
        "Oak Tree Nursing Home",
        "Midlands",
        ST.NURSING,
        RiskLevel.HIGH,
        6500,
        [RT.FALLS, RT.DETERIORATION, RT.NUTRITION],
    ),
    (
        "Ash Grove",
        "Midlands",
        ST.RESIDENTIAL,
        RiskLevel.MEDIUM,
        4100,
        [RT.FALLS, RT.MEDICATION, RT.AGENCY_RELIANCE],
    ),
    ("Holly Court", "Midlands", ST.RESIDENTIAL, RiskLevel.LOW, 3500, [RT.NUTRITION, RT.MEDICATION]),
    ("Trent Supported Living", "Midlands", ST.SUPPORTED_LIVING, RiskLevel.MEDIUM, 2400, [RT.SAFEGUARDING]),
    (
        "Beech Lodge",
        "Midlands",
        ST.NURSING,
        RiskLevel.MEDIUM,
        5900,
        [RT.WOUND_CARE, RT.FALLS, RT.NIGHT_STAFFING],
    ),
    ("Severn Home Care", "Midlands", ST.HOME_CARE, RiskLevel.LOW, 1500, [RT.MISSED_CALLS]),
]

# Which incident themes a risk tag makes more likely.
TAG_THEMES = {
    RT.FALLS: IncidentTheme.FALL,
    RT.MEDICATION: IncidentTheme.MEDICATION,
    RT.WOUND_CARE: IncidentTheme.PRESSURE_ULCER,
    RT.SAFEGUARDING: IncidentTheme.SAFEGUARDING,
    RT.MISSED_CALLS: IncidentTheme.MISSED_CALL,
    RT.DETERIORATION: IncidentTheme.DETERIORATION,
    RT.NUTRITION: IncidentTheme.CHOKING,
    RT.NIGHT_STAFFING: IncidentTheme.FALL,
    RT.AGENCY_RELIANCE: IncidentTheme.MEDICATION,
}

PROVIDER_PEOPLE = [
    ("ni", "Margaret", "Okafor", Role.NOMINATED_INDIVIDUAL),
    ("provider.director", "David", "Hughes", Role.PROVIDER_DIRECTOR),
    ("quality.director", "Priya", "Shah", Role.QUALITY_DIRECTOR),
    ("operations.director", "Tom", "Brennan", Role.OPERATIONS_DIRECTOR),
    ("compliance.manager", "Aisha", "Rahman", Role.COMPLIANCE_MANAGER),
    ("governance.officer", "Gareth", "Lewis", Role.GOVERNANCE_OFFICER),
    ("performance.analyst", "Nina", "Kowalski", Role.PERFORMANCE_ANALYST),
    ("experience.lead", "Femi", "Adeyemi", Role.RESIDENT_EXPERIENCE_LEAD),
    ("admin", "Sam", "Patel", Role.PROVIDER_ADMINISTRATOR),
]
REGION_DEPUTIES = {
    "North West": ("drm.northwest", "Claire", "Dawson"),
    "Yorkshire": ("drm.yorkshire", "Imran", "Ali"),
    "Midlands": ("drm.midlands", "Rachel", "Green"),
}
# Service roles beyond the registered manager, held at the services most demos start from.
SERVICE_ROLES = [
    ("sil", Role.SERVICE_IMPROVEMENT_LEAD),
    ("clinical", Role.CLINICAL_LEAD),
    ("pdl", Role.PRACTICE_DEVELOPMENT_LEAD),
    ("seniorcarer", Role.SENIOR_CARER_LATE),
    ("oncall", Role.ON_CALL_MANAGER),
]
FULLY_STAFFED = ["Elm House", "Birch Lodge", "Rowan Court", "Willow Bank"]
FIRST_NAMES = [
    "Jo",
    "Alex",
    "Sian",
    "Kofi",
    "Helen",
    "Mark",
    "Zara",
    "Liam",
    "Grace",
    "Owen",
    "Ruth",
    "Dev",
    "Megan",
    "Paul",
    "Hannah",
    "Yusuf",
    "Beth",
    "Chris",
    "Amara",
    "Ian",
]
LAST_NAMES = [
    "Evans",
    "Taylor",
    "Byrne",
    "Mensah",
    "Clarke",
    "Wright",
    "Hussain",
    "Murphy",
    "Walsh",
    "Jones",
    "Price",
    "Nair",
    "Foster",
    "Reid",
    "Lloyd",
    "Begum",
    "Hart",
    "Webb",
    "Obi",
    "Mills",
]


@dataclass
class DemoLogin:
    username: str
    name: str
    role: str
    scope: str


def demo_people():
    """Everyone holding a role at the demo's two providers."""
    return User.objects.filter(
        role_assignments__provider__cqc_provider_id__in=[DEMO_PROVIDER_ID, OTHER_PROVIDER_ID]
    ).distinct()


class Command(BaseCommand):
    help = "Create the demo provider, its people and 90 days of incidents and care hours."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="Days of incidents and care hours (1–365).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")
        parser.add_argument("--password", default="demo-pass-2026", help="Password for every demo login.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo providers first.")

    def handle(self, *args, days, seed, password, reset, **options):
        if not 1 <= days <= 365:
            raise CommandError(f"--days must be between 1 and 365, not {days}.")
        if len(password) < 8:
            raise CommandError("--password must be at least 8 characters long.")
        demo_exists = Provider.objects.filter(cqc_provider_id=DEMO_PROVIDER_ID).exists()
        if demo_exists and not reset:
            self.stdout.write(
                "The demo provider already exists; nothing changed (use --reset to rebuild it)."
            )
            self._give_demo_codes()
            self._print_logins(password)
            return
        with transaction.atomic():
            if reset:
                self._delete_demo()
            builder = DemoBuilder(random.Random(seed), password, days)
            builder.build()
            # The demo's incidents and care hours were written in bulk: count them into the roll-up.
            demo_ids = [DEMO_PROVIDER_ID, OTHER_PROVIDER_ID]
            after_data_saved(
                Service.objects.filter(provider__cqc_provider_id__in=demo_ids).values_list("pk", flat=True)
            )
            demo = Provider.objects.get(cqc_provider_id=DEMO_PROVIDER_ID)
            trigger = build_learning_story(demo, history_days=days)
            # Live at Rowan Court at 09:30 the day after the fall was confirmed: before its verification
            # (10:30 on the next working day), which checks the learning in place there.
            build_adoption_story(trigger, deployed_at=trigger.confirmed_at + timedelta(hours=23))
            build_reporting_story(demo, trigger)
            # The engine at each moment it would have acted as the story unfolded, as beat would have.
            replay_engine(Provider.objects.filter(cqc_provider_id__in=demo_ids).values("pk"), timezone.now())
            self._give_demo_codes()
        self.stdout.write(self.style.SUCCESS(f"Demo provider created with {days} days of data."))
        self._print_logins(password)

    def _delete_demo(self):
        providers = Provider.objects.filter(cqc_provider_id__in=[DEMO_PROVIDER_ID, OTHER_PROVIDER_ID])
        # Cases and triggers protect the people and services they name, so they go first.
        escalations = Escalation.objects.filter(provider__in=providers)
        # Follow-ups protect the escalation they follow, so the highest level goes first.
        for level in sorted(set(escalations.values_list("level", flat=True)), reverse=True):
            escalations.filter(level=level).delete()
        ChainRun.objects.filter(provider__in=providers).delete()
        EngineEvent.objects.filter(provider__in=providers).delete()
        ReportingUpdate.objects.filter(provider__in=providers).delete()
        Deployment.objects.filter(service__provider__in=providers).delete()
        LearningTrigger.objects.filter(provider__in=providers).delete()
        ImportJob.objects.filter(provider__in=providers).delete()
        Incident.objects.filter(service__provider__in=providers).delete()
        users = User.objects.filter(role_assignments__provider__in=providers)
        User.objects.filter(pk__in=list(users.values_list("pk", flat=True))).delete()
        for provider in providers:
            provider.services.all().delete()
            provider.delete()

    def _give_demo_codes(self):
        """Demo people who need a second factor get the published demo code (refused outside a demo)."""
        for user in demo_people():
            if two_factor.two_factor_required(user):
                two_factor.give_demo_code(user)

    def _print_logins(self, password):
        rows = (
            RoleAssignment.objects.filter(provider__cqc_provider_id__in=[DEMO_PROVIDER_ID, OTHER_PROVIDER_ID])
            .select_related("user", "provider", "region", "service")
            .order_by("provider__name", "role", "user__username")
        )
        needs_code = {u.pk for u in demo_people() if two_factor.two_factor_required(u)}
        self.stdout.write(f"\nDemo logins (password for all: {password}):")
        self.stdout.write(f"  {'login':<28} {'role':<28} {'second step':<16} scope")
        seen = set()
        for a in rows:
            key = (a.user.username, a.role)
            if key in seen:
                continue
            seen.add(key)
            step = f"code {two_factor.DEMO_CODE}" if a.user_id in needs_code else "password only"
            self.stdout.write(
                f"  {a.user.username:<28} {a.get_role_display():<28} {step:<16} {a.scope_label}"
            )
        self.stdout.write(
            f"\nProvider-level people enter the demo code {two_factor.DEMO_CODE} as their security code "
            "after the password. It works only while DEBUG and DEMO_SECOND_FACTOR are on "
            "(./scripts/run turns them on); anywhere else they must set up an authenticator app."
        )


class DemoBuilder:
    """Builds the demo organisation; one method per part so each stays short."""

    def __init__(self, rng: random.Random, password: str, days: int):
        self.rng = rng
        # Hash once: every demo login shares the password, and hashing is deliberately slow.
        self.password_hash = make_password(password)
        self.days = days
        self.usernames: set[str] = set()

    def build(self):
        provider = Provider.objects.create(name="Oakwood Care Group", cqc_provider_id=DEMO_PROVIDER_ID)
        regions = {name: Region.objects.create(provider=provider, name=name) for name in REGION_DEPUTIES}
        services = [self._service(provider, regions[region], name, *rest) for name, region, *rest in SERVICES]
        for username, first, last, role in PROVIDER_PEOPLE:
            self._person(username, first, last, role, provider=provider)
        for region_name, (username, first, last) in REGION_DEPUTIES.items():
            self._person(
                username,
                first,
                last,
                Role.DEPUTY_REGIONAL_MANAGER,
                provider=provider,
                region=regions[region_name],
            )
        for service in services:
            self._service_people(service)
        self._commissioners(services)
        self._other_provider()
        for service in services:
            self._activity(service)

    def _service(self, provider, region, name, service_type, risk_level, weekly_hours, tags):
        index = Service.objects.count() + 1
        service = Service.objects.create(
            provider=provider,
            region=region,
            name=name,
            cqc_location_id=f"1-DEMO{index:05d}",
            service_type=service_type,
            risk_level=risk_level,
            weekly_care_hours=weekly_hours,
        )
        ServiceRiskTag.objects.bulk_create([ServiceRiskTag(service=service, tag=tag) for tag in tags])
        shifts = HOME_CARE_SHIFTS if service_type == ServiceType.HOME_CARE else CARE_HOME_SHIFTS
        ShiftPattern.objects.bulk_create(
            [ShiftPattern(service=service, name=name, start=start, end=end) for name, start, end in shifts]
        )
        teams = (
            ["Day team", "Night team"] if service_type != ServiceType.HOME_CARE else ["Round A", "Round B"]
        )
        if service_type == ServiceType.NURSING:
            teams.append("Nursing team")
        Team.objects.bulk_create([Team(service=service, name=name) for name in teams])
        return service

    def _person(self, username, first, last, role, *, provider, region=None, service=None, commissioner=None):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.org")
            user.password = self.password_hash
            user.save()
        RoleAssignment.objects.create(
            user=user, role=role, provider=provider, region=region, service=service, commissioner=commissioner
        )
        return user

    def _random_name(self):
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def _service_people(self, service):
        slug = service.name.lower().replace(" ", "")[:14]
        manager = self._person(
            f"rm.{slug}",
            *self._random_name(),
            Role.REGISTERED_MANAGER,
            provider=service.provider,
            service=service,
        )
        service.registered_manager = manager
        service.save(update_fields=["registered_manager"])
        if service.name in FULLY_STAFFED:
            for prefix, role in SERVICE_ROLES:
                self._person(
                    f"{prefix}.{slug}", *self._random_name(), role, provider=service.provider, service=service
                )

    def _commissioners(self, services):
        """The county council buys the North West's care, the ICB nursing care everywhere: Birch Lodge
        (a North West nursing home) is commissioned by both. Each has one officer at Oakwood."""
        council = [s for s in services if s.region.name == "North West"]
        icb = [s for s in services if s.service_type == ServiceType.NURSING]
        for name, username, first, last, commissioned in [
            (COUNCIL, "commissioner.council", "Laura", "Bennett", council),
            (ICB, "commissioner.icb", "Raj", "Mehta", icb),
        ]:
            organisation, _ = Commissioner.objects.get_or_create(name=name)
            organisation.services.add(*commissioned)
            self._person(
                username,
                first,
                last,
                Role.COMMISSIONER,
                provider=commissioned[0].provider,
                commissioner=organisation,
            )

    def _other_provider(self):
        other = Provider.objects.create(name="Riverside Living Ltd", cqc_provider_id=OTHER_PROVIDER_ID)
        region = Region.objects.create(provider=other, name="South West")
        for name, tags in [("Riverside Court", [RT.FALLS, RT.MEDICATION]), ("Harbour View", [RT.FALLS])]:
            service = self._service(
                other, region, name, ServiceType.RESIDENTIAL, RiskLevel.MEDIUM, 4000, tags
            )
            self._service_people(service)
            self._activity(service)
        self._person("other.quality", "Ben", "Carter", Role.QUALITY_DIRECTOR, provider=other)

    def _activity(self, service):
        """Daily care hours and incidents whose themes follow the service's risk profile."""
        today = timezone.localdate()
        tags = service.risk_tag_codes
        themes = [TAG_THEMES[RiskTag(t)] for t in tags] + [IncidentTheme.BEHAVIOUR, IncidentTheme.INFECTION]
        rate = {RiskLevel.HIGH: 0.03, RiskLevel.MEDIUM: 0.02, RiskLevel.LOW: 0.012}[service.risk_level]
        hours_rows, incidents = [], []
        for offset in range(self.days, 0, -1):
            day = today - timedelta(days=offset)
            hours = Decimal(service.weekly_care_hours / 7 * self.rng.uniform(0.9, 1.08)).quantize(
                Decimal("0.01")
            )
            hours_rows.append(CareHours(service=service, day=day, hours=hours))
            for _ in range(self._poisson(float(hours) / 100 * rate)):
                incidents.append(self._incident(service, day, themes, len(incidents)))
        bulk_create_with_history(hours_rows, CareHours, default_change_reason="Demo data")
        Incident.objects.bulk_create(incidents)

    def _incident(self, service, day, themes, number):
        theme = self.rng.choice(themes)
        harm = self.rng.choices(
            [HarmLevel.NONE, HarmLevel.LOW, HarmLevel.MODERATE, HarmLevel.SEVERE], weights=[55, 33, 10, 2]
        )[0]
        moment = datetime.combine(day, time(self.rng.randrange(24), self.rng.randrange(60)))
        return Incident(
            service=service,
            source_reference=f"{service.cqc_location_id}-{day:%Y%m%d}-{number:04d}",
            occurred_at=timezone.make_aware(moment),
            theme=theme,
            harm_level=harm,
            safeguarding_concern=theme == IncidentTheme.SAFEGUARDING or self.rng.random() < 0.02,
            regulatory_notification=harm == HarmLevel.SEVERE,
            people_affected=1 if self.rng.random() < 0.95 else 2,
            description=f"{theme.label} recorded by the {self.rng.choice(['day', 'night', 'late'])} team.",
        )

    def _poisson(self, mean):
        # Knuth's method: fine for the small daily means of a care service.
        limit, count, product = pow(2.718281828459045, -mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count
