"""Incidents and care hours: the raw data behind incident rates per 100 care hours (chain A)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from config.background import BackgroundWork
from config.forms import too_long
from providers.models import Provider, Service, User

from ..choices import HarmLevel, ImportKind, ImportStatus, IncidentTheme, ReviewOutcome

# The number of people one incident affected. The column could hold billions, but no incident at one
# service affects more than 10,000 people, even at the largest home-care locations; more than that is a
# reference number or a total typed into the wrong column. The import, the form, the admin and the
# database all refuse it with the one message below.
MIN_PEOPLE_AFFECTED = 1
MAX_PEOPLE_AFFECTED = 10_000
# The rule in words, for the import's column description and every refusal.
PEOPLE_AFFECTED_RULE = f"a whole number from {MIN_PEOPLE_AFFECTED} to {MAX_PEOPLE_AFFECTED:,}"
PEOPLE_AFFECTED_REFUSAL = f"Give the number of people affected as {PEOPLE_AFFECTED_RULE}."
# What happened, briefly: a paragraph or two. Longer text is a whole report pasted in (or a cell run on
# past its end); the import, the form and the admin all refuse it, the import by line.
DESCRIPTION_MAX_LENGTH = 2000


class Incident(models.Model):
    """One incident at a service, as exported by its e-care system or entered by hand.

    The source reference is the key: importing the same file twice never creates a duplicate. Each
    incident names the import that added it or last changed it, so an import's rows can be listed.
    """

    # No index of its own: the unique (service, source_reference) and the (service, occurred_at) indexes
    # both start with the service, and every import writes each index once per row.
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="incidents", db_index=False)
    source_reference = models.CharField(
        max_length=60, help_text="The incident's reference in the source system."
    )
    occurred_at = models.DateTimeField()
    theme = models.CharField(max_length=30, choices=IncidentTheme.choices)
    harm_level = models.CharField(max_length=20, choices=HarmLevel.choices, default=HarmLevel.NONE)
    safeguarding_concern = models.BooleanField(default=False)
    regulatory_notification = models.BooleanField(
        default=False, help_text="A statutory notification was made to CQC."
    )
    people_affected = models.PositiveIntegerField(
        default=1,
        validators=[
            MinValueValidator(MIN_PEOPLE_AFFECTED, message=PEOPLE_AFFECTED_REFUSAL),
            MaxValueValidator(MAX_PEOPLE_AFFECTED, message=PEOPLE_AFFECTED_REFUSAL),
        ],
    )
    description = models.TextField(
        blank=True,
        max_length=DESCRIPTION_MAX_LENGTH,  # the forms' limit; the validator is the services' (full_clean)
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH, message=too_long("the description"))],
        help_text=f"What happened, briefly: up to {DESCRIPTION_MAX_LENGTH:,} characters.",
    )
    import_job = models.ForeignKey(
        "ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name="import",
        help_text="The import that added this incident or last changed it; empty for one entered by hand.",
        # An audit pointer, written only by the import that holds its job, and cleared by the ORM when a
        # job is deleted (SET_NULL): no database check per imported row (a million checks a million rows).
        db_constraint=False,
    )
    # The history is read one incident at a time (by its id), never by service or import, and each
    # imported row adds a history row: no index on those two. The history row's user is an audit
    # pointer like its other references (which django-simple-history never constrains), so it is not
    # checked row by row either.
    history = HistoricalRecords(no_db_index=["service", "import_job"], user_db_constraint=False)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "source_reference"],
                name="incident_unique_source_reference",
                violation_error_message="This service already has an incident with this source reference.",
            ),
            # Also in the database, so no path (a bulk load, a raw update) can store what the rule refuses.
            models.CheckConstraint(
                condition=models.Q(
                    people_affected__gte=MIN_PEOPLE_AFFECTED, people_affected__lte=MAX_PEOPLE_AFFECTED
                ),
                name="incident_people_affected_in_range",
                violation_error_message=PEOPLE_AFFECTED_REFUSAL,
            ),
        ]
        indexes = [
            models.Index(fields=["service", "occurred_at"], name="incident_service_time"),
            # The incident list, newest first across a person's services: without it PostgreSQL sorted
            # every incident of a large provider's 2 million to show 50 (0.4 s; now under 1 ms).
            models.Index(fields=["-occurred_at", "-id"], name="incident_newest_first"),
        ]

    def __str__(self):
        return f"{self.source_reference} – {self.get_theme_display()} at {self.service}"


class IncidentReview(models.Model):
    """The quality director's recorded decision on a flagged incident that needs no learning trigger.

    Once an incident has a review (or a learning trigger) it leaves the list awaiting a decision; the
    reason stays on the record so the decision not to share learning provider-wide can be audited.
    """

    # One-to-one: an incident is decided once, so a double submit can never add a second review.
    # The review is part of the incident's record (its history rows stay), so it goes with the incident.
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices)
    reason = models.TextField(help_text="Why no provider-wide learning trigger is needed.")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self):
        return f"Review of {self.incident.source_reference}: {self.get_outcome_display()}"


class CareHours(models.Model):
    """Care hours delivered by a service on one day: the denominator of every incident rate.

    An import that changes a day's figure keeps the earlier one in the history, with who imported
    which file, so a rate can be traced to the hours it was computed from.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="care_hours")
    day = models.DateField()
    hours = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "day"]
        verbose_name_plural = "care hours"
        constraints = [models.UniqueConstraint(fields=["service", "day"], name="care_hours_once_per_day")]

    def __str__(self):
        return f"{self.service} {self.day}: {self.hours} h"


class ReviewThresholds(models.Model):
    """A provider's thresholds for flagging incidents that need a formal review (seed 003).

    Serious harm, safeguarding concerns and regulatory notifications always need one; the repeat
    window and the number of people affected are the provider's choice.
    """

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="review_thresholds")
    repeat_count = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(2)],
        help_text="This many incidents of one type at one service within the window need a review.",
    )
    repeat_window_days = models.PositiveSmallIntegerField(default=28, validators=[MinValueValidator(1)])
    people_affected = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(2)],
        help_text="An incident affecting at least this many people needs a review.",
    )
    lookback_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(1)], help_text="How far back the review list looks."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "review thresholds"

    def __str__(self):
        return f"Review thresholds for {self.provider}"

    @classmethod
    def for_provider(cls, provider: Provider) -> "ReviewThresholds":
        """The provider's thresholds, or the defaults (unsaved) when it never changed them."""
        return cls.objects.filter(provider=provider).first() or cls(provider=provider)


def _import_upload_path(job, filename):
    return f"imports/{job.provider_id}/{filename}"


class ImportJob(BackgroundWork):
    """One uploaded incident or care-hours file and what became of it: the audit record of an import.

    Large files are imported by a background task that writes its progress here; the page polls it.
    A worker that dies mid-import leaves nothing saved, and the sweeper starts the job again.
    """

    task_name = "learning_transfer.tasks.run_import"
    QUEUED, FAILED = ImportStatus.QUEUED, ImportStatus.FAILED
    RUNNING = (ImportStatus.CHECKING, ImportStatus.SAVING)
    RESTART = {
        "total_rows": 0,
        "processed_rows": 0,
        "created_count": 0,
        "updated_count": 0,
        "unchanged_count": 0,
        "error_count": 0,
        "errors": lambda job: [],
        "failure": "",
        "finished_at": None,
    }
    STOPPED_NOTE = "Nothing from this file was saved."

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file = models.FileField(upload_to=_import_upload_path)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first errors found: line and reason.")
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["processed_rows", "progress_at", "dispatched_at"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} import {self.original_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.SAVING)

    @property
    def history_reason(self) -> str:
        """The reason on every history row this import writes, by which its changes are found again."""
        return f"Imported from {self.original_name}"

    @property
    def changed_nothing(self) -> bool:
        """Imported, with every row already up to date: a file uploaded again."""
        return self.status == ImportStatus.SUCCEEDED and not (self.created_count or self.updated_count)

    @property
    def result(self) -> str:
        """What became of the file in a word or two, for a list of imports: "Imported" would say the
        same of a file that changed nothing as of the first upload of it."""
        return "Nothing changed" if self.changed_nothing else self.get_status_display()

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def grouped_errors(self) -> list[tuple[str, str]]:
        """The listed problems with the same words once, naming their lines ("4, 9, 17 … and 497 more
        lines"), in the order each first appears: a mistake repeated on 8,000 rows is one row, not 500
        (the line of a file-wide problem, line 1, reads as the header)."""
        lines_of: dict[str, list[int]] = {}
        for error in self.errors:
            lines_of.setdefault(error["message"], []).append(error["line"])
        return [(_lines_words(lines), message) for message, lines in lines_of.items()]


LINES_NAMED = 10  # a problem on more lines names the first ten and counts the rest


def _lines_words(lines: list[int]) -> str:
    named = ", ".join(f"{line:,}" for line in lines[:LINES_NAMED])
    more = len(lines) - LINES_NAMED
    return f"{named} and {more:,} more line{'s' * (more != 1)}" if more > 0 else named
