"""Factories for the organisation; every test builds the people and services its story needs."""

from datetime import timedelta

import factory

from escalation.computations import compute
from providers.choices import ROLE_SCOPE, RiskLevel, Role, Scope, ServiceType
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


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n}")
    cqc_provider_id = factory.Sequence(lambda n: f"1-{100000 + n}")


class CommissionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commissioner

    name = factory.Sequence(lambda n: f"Commissioning organisation {n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Region {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    region = factory.SubFactory(RegionFactory)
    provider = factory.SelfAttribute("region.provider")
    name = factory.Sequence(lambda n: f"Service {n}")
    cqc_location_id = factory.Sequence(lambda n: f"1-{200000 + n}")
    service_type = ServiceType.RESIDENTIAL
    risk_level = RiskLevel.MEDIUM
    weekly_care_hours = 1000

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        for tag in extracted or ():
            ServiceRiskTag.objects.create(service=self, tag=tag)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class ShiftPatternFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftPattern

    service = factory.SubFactory(ServiceFactory)
    name = "early"
    start = "07:00"
    end = "15:00"


def _plain_name(kind: str) -> str:
    return getattr(factory.Faker._get_faker(locale="en_GB"), kind)().replace("'", "")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    # Names as pages print them: a name the HTML escapes (O'Brien) would make every test that looks
    # for a person's name in a page fail by chance. Names with an apostrophe are tested on purpose in
    # tests/escalation/test_whose_work.py.
    first_name = factory.LazyFunction(lambda: _plain_name("first_name"))
    last_name = factory.LazyFunction(lambda: _plain_name("last_name"))
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


def person_with_role(
    role: str, *, provider=None, region=None, service=None, commissioner=None, **user_fields
) -> User:
    """A person holding one role at the right scope: the shortest way to write a persona in a test."""
    user = UserFactory(**user_fields)
    give_role(user, role, provider=provider, region=region, service=service, commissioner=commissioner)
    return user


def give_role(user, role, *, provider=None, region=None, service=None, commissioner=None) -> RoleAssignment:
    """A commissioner given only a `service` works for a new organisation commissioning that service."""
    scope = ROLE_SCOPE[Role(role)]
    if scope == Scope.COMMISSIONER:
        if commissioner is None:
            commissioner = CommissionerFactory()
            if service is not None:
                commissioner.services.add(service)
        provider = provider or (service.provider if service is not None else ProviderFactory())
        return RoleAssignment.objects.create(
            user=user, role=role, provider=provider, commissioner=commissioner
        )
    if scope == Scope.SERVICE:
        service = service or ServiceFactory(**({"region__provider": provider} if provider else {}))
        return RoleAssignment.objects.create(user=user, role=role, provider=service.provider, service=service)
    if scope == Scope.REGION:
        region = region or RegionFactory(**({"provider": provider} if provider else {}))
        return RoleAssignment.objects.create(user=user, role=role, provider=region.provider, region=region)
    provider = provider or ProviderFactory()
    return RoleAssignment.objects.create(user=user, role=role, provider=provider)


def falls_trigger(provider, source_service, logged_by, *, days_ago: int = 20):
    """A falls trigger at `source_service`, confirmed and matched `days_ago` days ago, saved as it is:
    no matching run and no case started, for tests about what happens to it next."""
    from django.utils import timezone

    from learning_transfer.choices import IncidentTheme
    from learning_transfer.models import LearningTrigger

    when = timezone.now() - timedelta(days=days_ago)
    return LearningTrigger.objects.create(
        provider=provider,
        title="Unwitnessed fall at night",
        source_service=source_service,
        theme=IncidentTheme.FALL,
        risk_tags=["falls"],
        what_happened="A resident fell at night and was found later.",
        confirmed_at=when,
        matched_at=when,
        logged_by=logged_by,
    )


def role_holder(provider, role):
    """Someone holding `role` at the provider: the first there is, or a new person given it."""
    held = RoleAssignment.objects.filter(provider=provider, role=role, region=None, service=None).first()
    return held.user if held else person_with_role(role, provider=provider, username=f"{role}-{provider.pk}")


# What a person says they checked when a test records a step: the engine refuses a record without it.
CHECK_DONE = "The figures against the records they were worked out from."

# A figure the system cannot compute for a bare test update (no notice due, no care hours), entered as
# nothing wrong: every matched service completed its action in time (C2 breaches below 90 %).
NOTHING_WRONG = {"pct_completing_in_time": 100}


def check_and_sign_off(update, director, codes=None):
    """Chain C's checks before issue recorded by their owners, with the figures the system computes and
    nothing found in the others, then the Provider Director's sign-off (C5): ready to release. `codes`
    names the checks (default: the figures, checked once (C2), and the ones C5 is judged against)."""
    from reporting_control import chain

    for code in codes or (chain.FIGURES_STEP, *chain.SIGNED_OFF_AGAINST):
        step = chain.step_run(update, code)
        computed = compute(step).values
        entered = {
            m["name"]: NOTHING_WRONG.get(m["name"], {} if m.get("group") else 0)
            for m in step.measures
            if m["name"] not in computed
        }
        chain.record_computed(
            update, code, by=role_holder(update.provider, step.role), entered=entered, check_done=CHECK_DONE
        )
    if director is not None:
        return chain.record_sign_off(update, by=director, check_done=CHECK_DONE)
    return None
