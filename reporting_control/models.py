"""Chain C records: updates, their reporting lines, issue holds and evidence packs."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from config.background import BackgroundWork
from escalation.models import StepRecord
from learning_transfer.models import LearningTrigger
from providers.models import Commissioner, Provider, Service, User

from .choices import Audience, LineKind, LineState, PackStatus, UpdateStatus


class ReportingUpdate(models.Model):
    """A planned regulatory or commissioner update with an issue date: the anchor of chain C.

    It is made of reporting lines (claims). It may only be released once no issue hold is active and
    every line is evidenced, challenge-cleared, or withheld (frozen or deferred).
    """

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="reporting_updates")
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    issue_at = models.DateTimeField(help_text="When the update is due to be issued.")
    triggers = models.ManyToManyField(
        LearningTrigger, blank=True, related_name="reporting_updates", help_text="The learning it reports on."
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="reporting_updates", help_text="The services the update covers."
    )
    status = models.CharField(max_length=20, choices=UpdateStatus.choices, default=UpdateStatus.DRAFT)
    evidence_checked_at = models.DateTimeField(null=True, blank=True)
    lines_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,  # kept by the services; the update's history says each change in words already
        help_text=(
            "When a person last added a line, named a line's services or decided one: the sign-off (C5) "
            "signs off the lines as they stood, so release needs it recorded after."
        ),
    )
    # What that change was, in the words of its history row ("Line 3 added: …"): the release refusal says it.
    lines_change = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # When it was planned: `plan_update` gives it, so an update recorded after the fact reads in order.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The learning and services an update covers decide who sees its pack: each change is on the record.
    history = HistoricalRecords(m2m_fields=[triggers, services])

    class Meta:
        ordering = ["issue_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=UpdateStatus.RELEASED)
                | models.Q(released_at__isnull=False, released_by__isnull=False),
                name="reporting_update_released_by_someone",
            ),
            # The same update (title, issue time) is planned once, however many times the form is sent.
            models.UniqueConstraint(
                fields=["provider", "title", "issue_at"], name="reporting_update_planned_once"
            ),
        ]
        indexes = [models.Index(fields=["provider", "status"], name="reporting_update_status")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("reporting_control:update_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"RU-{self.pk:04d}" if self.pk else "RU-new"

    def status_words(self, line_count: int, lacking_count: int) -> str:
        """The status as a person reads it. A held or released update says so; one still being prepared
        says what its lines need next, from the lines it has (`line_count`, of which `lacking_count`
        lack evidence), so an update with lines never reads "add its reporting lines"."""
        if self.status in (UpdateStatus.HELD, UpdateStatus.RELEASED) or not line_count:
            return self.get_status_display()
        stage = "Draft" if self.status == UpdateStatus.DRAFT else "In preparation"
        if lacking_count:
            verb = "lacks" if lacking_count == 1 else "lack"
            return f"{stage} — {lacking_count} line{'s' if lacking_count > 1 else ''} {verb} evidence"
        return f"{stage}: checks to do"


class ReportingLine(models.Model):
    """One claim of an update, with the named services it speaks for and the state of its evidence.

    The evidence note says, in words, why the line is evidenced or lacking; a line resting only on
    notices is lacking, because a notice sent is not learning adopted.
    """

    update = models.ForeignKey(ReportingUpdate, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField()
    claim = models.TextField()
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    services = models.ManyToManyField(Service, blank=True, related_name="reporting_lines")
    state = models.CharField(max_length=20, choices=LineState.choices, default=LineState.DRAFT)
    evidence_note = models.TextField(blank=True)
    notice_only = models.BooleanField(
        default=False, help_text="Lacking, and the only support found is learning notices."
    )
    decision_reason = models.TextField(blank=True, help_text="Why a person froze, deferred or cleared it.")
    assessed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[services])

    class Meta:
        ordering = ["update", "order"]
        constraints = [
            models.UniqueConstraint(fields=["update", "order"], name="reporting_line_order_once"),
        ]

    def __str__(self):
        return f"Line {self.order} of {self.update.reference}"


class IssueHold(models.Model):
    """A hold that stops an update and its evidence pack being issued, from `placed_at` until lifted.

    Lifting needs a named person and a reason; a lifted hold stays on the record. At most one hold
    is active per update (a partial unique constraint), so "is it held?" has one answer.
    """

    update = models.ForeignKey(ReportingUpdate, on_delete=models.CASCADE, related_name="holds")
    reason = models.TextField()
    placed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    step_record = models.ForeignKey(
        StepRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The C4 record whose breach placed the hold automatically.",
    )
    lifted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["update"],
                condition=models.Q(lifted_at__isnull=True),
                name="issue_hold_one_active_per_update",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True)
                | (models.Q(lifted_by__isnull=False) & ~models.Q(lift_reason="")),
                name="issue_hold_lifted_by_someone_with_reason",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="issue_hold_has_reason"),
        ]

    def __str__(self):
        return f"Hold on {self.update.reference} from {self.placed_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class EvidencePack(BackgroundWork):
    """A PDF evidence pack of an update, built by a Celery task with visible progress.

    `for_release` marks the packs a release issues: the provider's full pack (no `commissioner`) and one
    pack per commissioner of the covered services, holding only that commissioner's services. Only a
    commissioner's own released packs reach its people; packs staff request are the provider's only.
    A worker that dies mid-build leaves no file, and the sweeper builds the pack again.
    """

    task_name = "reporting_control.tasks.build_evidence_pack"
    QUEUED, RUNNING, FAILED = PackStatus.QUEUED, (PackStatus.BUILDING,), PackStatus.FAILED
    RESTART = {"progress": 0, "failure": ""}

    update = models.ForeignKey(ReportingUpdate, on_delete=models.CASCADE, related_name="packs")
    commissioner = models.ForeignKey(
        Commissioner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_packs",
        help_text="The commissioner this pack was released to; empty for the provider's own full pack.",
    )
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    for_release = models.BooleanField(default=False)
    file = models.FileField(upload_to="evidence_packs/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    failure = models.TextField(blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    built_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["progress", "progress_at", "dispatched_at"])

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="evidence_pack_progress_max"),
            models.CheckConstraint(
                condition=~models.Q(status=PackStatus.READY) | ~models.Q(sha256=""),
                name="evidence_pack_ready_has_hash",
            ),
            # A release issues each pack once, however often it is retried (NULLs never clash, hence two).
            models.UniqueConstraint(
                fields=["update", "commissioner"],
                condition=models.Q(for_release=True, commissioner__isnull=False),
                name="evidence_pack_released_once_per_commissioner",
            ),
            models.UniqueConstraint(
                fields=["update"],
                condition=models.Q(for_release=True, commissioner__isnull=True),
                name="evidence_pack_released_once_for_provider",
            ),
            models.CheckConstraint(
                condition=models.Q(commissioner__isnull=True) | models.Q(for_release=True),
                name="evidence_pack_commissioner_only_on_release",
            ),
        ]
        indexes = [models.Index(fields=["update", "status"], name="evidence_pack_status")]

    def __str__(self):
        audience = f" for {self.commissioner}" if self.commissioner_id else ""
        return f"Evidence pack {self.pk} of {self.update.reference}{audience}"

    @property
    def is_running(self) -> bool:
        return self.status in (PackStatus.QUEUED, PackStatus.BUILDING)

    @property
    def is_draft(self) -> bool:
        """Built (or being built) from the update before its release: its pages say "Draft"."""
        released = self.update.released_at
        return released is None or (not self.for_release and (self.built_at or self.requested_at) < released)

    @property
    def audience_words(self) -> str:
        """Whom the pack is for, as its list names it: "Pack for Lancashire County Council"; a pack built
        before the release says it is a draft, as its pages do."""
        if self.commissioner_id:
            return f"Pack for {self.commissioner}"
        if self.is_draft:
            return "Draft pack for the provider, built before release: not for sharing"
        return "Full pack for the provider" + (", issued on release" if self.for_release else "")

    @property
    def filename(self) -> str:
        """The stored file's name: one per pack."""
        return f"{self.update.reference}-evidence-pack-{self.pk}.pdf"

    @property
    def download_name(self) -> str:
        """The name a downloaded file is saved as, which a contract officer files it by: the update's
        reference and whom it is for ("RU-0003-evidence-pack-lancashire-county-council.pdf"); the
        provider's own packs keep their number, as several are built, a draft saying so."""
        if self.commissioner_id:
            return f"{self.update.reference}-evidence-pack-{slugify(self.commissioner.name)}.pdf"
        kind = "draft" if self.is_draft else "provider"
        return f"{self.update.reference}-evidence-pack-{kind}-{self.pk}.pdf"


class ReleasedPackContent(models.Model):
    """What one pack of a released update says, kept at release: the words and figures the pack shows.

    Every pack of a released update is built from it, so a pack built later says what was signed off,
    not what the records say by then. One per audience: the provider's full pack (no `commissioner`)
    and each commissioner's pack, already cut down to that commissioner's services.
    """

    update = models.ForeignKey(ReportingUpdate, on_delete=models.CASCADE, related_name="released_contents")
    commissioner = models.ForeignKey(
        Commissioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content = models.JSONField(help_text="The pack's words and figures as released (plain text, no links).")
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [
            # NULLs never clash, hence one constraint for the provider's pack and one for commissioners'.
            models.UniqueConstraint(
                fields=["update", "commissioner"],
                condition=models.Q(commissioner__isnull=False),
                name="released_pack_content_once_per_commissioner",
            ),
            models.UniqueConstraint(
                fields=["update"],
                condition=models.Q(commissioner__isnull=True),
                name="released_pack_content_once_for_provider",
            ),
        ]

    def __str__(self):
        audience = f" for {self.commissioner}" if self.commissioner_id else ""
        return f"Pack content of {self.update.reference} as released{audience}"
