"""The organisation: providers, their regions and services, teams, shifts, people and roles."""

from datetime import time
from functools import cached_property

from django.contrib.auth.models import AbstractUser, _user_has_perm
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from config.forms import too_long

from .calendar import Shift, WorkingCalendar, WorkingHours
from .choices import ROLE_SCOPE, RiskLevel, RiskTag, Role, Scope, ServiceType, label_of

# The longest reason a person may give for a change: a few sentences, kept whole in the history.
REASON_MAX_LENGTH = 500


REASON_TOO_LONG = too_long("the reason")


class User(AbstractUser):
    """A named person who signs in. What they may see and do comes only from their RoleAssignments."""

    job_title = models.CharField(max_length=120, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    # What `str(person)` reads: a list that only names people loads these alone (`unread_when_named`).
    NAME_FIELDS = ("id", "first_name", "last_name", "username")

    def __str__(self):
        return self.get_full_name() or self.username

    @classmethod
    def unread_when_named(cls, path: str) -> list[str]:
        """The person's fields at `path` (a `select_related` path, such as "owner") for `defer()`, when
        the rows only name them: all but NAME_FIELDS (a password hash, sign-in times and e-mail
        need not be read and converted on every row)."""
        return [f"{path}__{f.name}" for f in cls._meta.concrete_fields if f.name not in cls.NAME_FIELDS]

    def has_perm(self, perm, obj=None):
        """A question about an object is answered by the permission tables alone, for superusers too:
        operating the platform is not a role at a provider. Superusers keep the admin's model rights."""
        if obj is not None:
            return self.is_active and _user_has_perm(self, perm, obj)
        return super().has_perm(perm, obj)


class Provider(models.Model):
    """A registered care provider: the organisation that must show it learned everywhere.

    Several providers can share one installation; nothing of one is ever shown to another's people.
    """

    name = models.CharField(max_length=200, unique=True)
    cqc_provider_id = models.CharField("CQC provider ID", max_length=20, unique=True)
    working_day_start = models.TimeField(default=time(9, 0))
    working_day_end = models.TimeField(default=time(17, 0))
    working_weekdays = models.CharField(
        max_length=20,
        default="0,1,2,3,4",
        help_text="Working days as numbers, Monday = 0 … Sunday = 6, separated by commas.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            self.working_hours  # noqa: B018 - building it validates the fields together
        except ValueError as exc:
            raise ValidationError({"working_weekdays": str(exc)}) from exc

    @property
    def working_hours(self) -> WorkingHours:
        try:
            days = frozenset(int(d) for d in str(self.working_weekdays).split(",") if d.strip())
        except ValueError as exc:
            raise ValueError("Working days must be numbers from 0 (Monday) to 6 (Sunday).") from exc
        return WorkingHours(start=self.working_day_start, end=self.working_day_end, weekdays=days)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """The provider's working-time calendar (its hours, England and Wales bank holidays)."""
        return WorkingCalendar(self.working_hours)


class Commissioner(models.Model):
    """A commissioning organisation (a local authority or an NHS integrated care board) that buys care.

    It is "one commissioner": the services it commissions (`Service.commissioners`) decide what evidence
    it receives, and every person who holds the Commissioner role for it shares what it receives. A
    service may be commissioned by several (a nursing home often by the council and the ICB together).
    """

    name = models.CharField(max_length=200, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Region(models.Model):
    """A provider's operating region, overseen by a Deputy Regional Manager."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="regions")
    name = models.CharField(max_length=120)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="region_unique_name_per_provider")
        ]

    def __str__(self):
        return self.name


class Service(models.Model):
    """A CQC-registered location: a care home, nursing home, supported-living or home-care service."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    cqc_location_id = models.CharField("CQC location ID", max_length=20, unique=True)
    service_type = models.CharField(max_length=20, choices=ServiceType.choices)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    registered_manager = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="managed_services"
    )
    weekly_care_hours = models.PositiveIntegerField(
        default=0, help_text="Typical care hours delivered in a week; daily figures are imported."
    )
    commissioners = models.ManyToManyField(
        Commissioner,
        blank=True,
        related_name="services",
        help_text="Who commissions care here; each sees evidence about its own services only.",
    )
    # Who commissions a service decides who sees its evidence, so changes to it keep their history too.
    history = HistoricalRecords(m2m_fields=[commissioners])

    class Meta:
        ordering = ["provider", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="service_unique_name_per_provider")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.region_id and self.provider_id and self.region.provider_id != self.provider_id:
            raise ValidationError({"region": "The region must belong to the same provider as the service."})

    @property
    def risk_tag_codes(self) -> list[str]:
        """The service's risk tags; uses prefetched rows when the caller prefetched `risk_tags`."""
        return sorted(tag.tag for tag in self.risk_tags.all())

    @property
    def shifts(self) -> list[Shift]:
        return [pattern.as_shift() for pattern in self.shift_patterns.all()]


class ServiceRiskTag(models.Model):
    """One risk-profile tag carried by a service (medication, falls, night staffing …)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="risk_tags")
    tag = models.CharField(max_length=30, choices=RiskTag.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["service", "tag"], name="risk_tag_once_per_service")]
        indexes = [models.Index(fields=["tag", "service"], name="risk_tag_lookup")]

    def __str__(self):
        return label_of(RiskTag, self.tag)  # not get_tag_display(): a list shows fifty services' tags


class Team(models.Model):
    """A team inside a service; variation is compared by team, shift and location."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="team_unique_name_per_service")
        ]

    def __str__(self):
        return f"{self.name} ({self.service})"


class ShiftPattern(models.Model):
    """A recurring shift at a service, e.g. early 07:00–15:00; a night shift may cross midnight."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="shift_patterns")
    name = models.CharField(max_length=40, help_text="For example early, late or night.")
    start = models.TimeField()
    end = models.TimeField(help_text="An end at or before the start means the shift ends the next day.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "start"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="shift_unique_name_per_service")
        ]

    def __str__(self):
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start == self.end:
            raise ValidationError({"end": "A shift cannot start and end at the same time."})

    def as_shift(self) -> Shift:
        return Shift(name=self.name, start=self.start, end=self.end)


class RoleAssignment(models.Model):
    """A person holding one role, scoped to a whole provider, one region or one service.

    A commissioner's assignment names the commissioning organisation the person works for, at one
    provider: the person receives that provider's evidence packs for that organisation, which cover only
    the services the organisation commissions.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="role_assignments")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True)
    commissioner = models.ForeignKey(
        Commissioner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="For the Commissioner role only: the organisation the person works for.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider", "role", "user"]
        constraints = [
            # One constraint per scope level: NULLs never compare equal, so a single one would not do.
            models.UniqueConstraint(
                fields=["user", "role", "provider"],
                condition=models.Q(region__isnull=True, service__isnull=True),
                name="role_once_per_provider",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=models.Q(region__isnull=False),
                name="role_once_per_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "service"],
                condition=models.Q(service__isnull=False),
                name="role_once_per_service",
            ),
            # A commissioner always acts for a named organisation (never for one service), and only they do.
            models.CheckConstraint(
                condition=models.Q(
                    role=Role.COMMISSIONER,
                    commissioner__isnull=False,
                    region__isnull=True,
                    service__isnull=True,
                )
                | (~models.Q(role=Role.COMMISSIONER) & models.Q(commissioner__isnull=True)),
                name="role_commissioner_acts_for_an_organisation",
            ),
        ]
        indexes = [models.Index(fields=["role", "provider"], name="role_lookup")]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} ({self.scope_label})"

    @property
    def scope(self) -> str:
        return ROLE_SCOPE[Role(self.role)]

    @property
    def scope_label(self) -> str:
        if self.commissioner_id:
            return f"{self.commissioner} at {self.provider}"
        return str(self.service or self.region or self.provider)

    def clean(self):
        """The scope fields must match the role's level and belong to the same provider."""
        if not self.role or not self.provider_id:
            return
        scope = self.scope
        errors = {}
        if scope == Scope.COMMISSIONER:
            return self._clean_commissioner()
        if self.commissioner_id:
            errors["commissioner"] = "Only the Commissioner role is held for a commissioning organisation."
        if scope == Scope.PROVIDER and (self.region_id or self.service_id):
            errors["region"] = (
                f"{self.get_role_display()} is held for the whole provider: leave region and service empty."
            )
        if scope == Scope.REGION:
            if not self.region_id:
                errors["region"] = f"{self.get_role_display()} is held for a region: choose one."
            elif self.region.provider_id != self.provider_id:
                errors["region"] = "The region must belong to the chosen provider."
            if self.service_id:
                errors["service"] = "A regional role is not held for a single service."
        if scope == Scope.SERVICE:
            if not self.service_id:
                errors["service"] = f"{self.get_role_display()} is held for a service: choose one."
            elif self.service.provider_id != self.provider_id:
                errors["service"] = "The service must belong to the chosen provider."
            if self.region_id:
                errors["region"] = "A service role is not held for a region."
        if errors:
            raise ValidationError(errors)

    def _clean_commissioner(self):
        """A commissioner acts for one organisation at the whole provider, never for a region or service."""
        errors = {}
        if not self.commissioner_id:
            errors["commissioner"] = "Choose the commissioning organisation the person works for."
        if self.region_id or self.service_id:
            errors["region"] = (
                "A commissioner sees what its organisation commissions: leave region and service empty."
            )
        if errors:
            raise ValidationError(errors)
