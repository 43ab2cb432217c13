"""Admin for chain A records, with history. Day-to-day work happens in the app's own pages."""

from collections.abc import Callable

from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from providers.admin import ReadOnlyAdminMixin

from .forms import people_affected_field
from .models import (
    CareHours,
    ImplementationLead,
    ImplementationLine,
    ImportJob,
    Incident,
    IncidentReview,
    LearningNotice,
    LearningTrigger,
    MatchedService,
    ReviewThresholds,
)
from .services import notices, review_flags, rollup, trend
from .services.verification import withdraw_if_undone


class KeepsFiguresCurrent:
    """An operator's save or delete in the admin changes figures kept on other rows: `refresh` (the
    service function that keeps them) works out again those of the rows `pointer` names, as it was
    before the change and as it is after."""

    pointer: str
    refresh: Callable[[list], None]

    def save_model(self, request, obj, form, change):
        before = list(type(obj).objects.filter(pk=obj.pk).values_list(self.pointer, flat=True))
        super().save_model(request, obj, form, change)
        self.refresh([*before, getattr(obj, self.pointer)])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.refresh([getattr(obj, self.pointer)])

    def delete_queryset(self, request, queryset):
        pointed = list(queryset.values_list(self.pointer, flat=True))
        super().delete_queryset(request, queryset)
        self.refresh(pointed)


class KeepsVerificationHonest:
    """An operator's save or delete of a match, its lead or one of its lines may undo what the match's
    verification rested on: the verification is withdrawn then, by the operator, as the app's own
    actions withdraw it. `match_field` names the matched service of the admin's rows."""

    match_field: str

    def save_model(self, request, obj, form, change):
        before = self._matches_of(type(obj).objects.filter(pk=obj.pk))
        super().save_model(request, obj, form, change)
        self._recheck(request, before | self._matches_of(type(obj).objects.filter(pk=obj.pk)))

    def delete_model(self, request, obj):
        pointed = self._matches_of(type(obj).objects.filter(pk=obj.pk))
        super().delete_model(request, obj)
        self._recheck(request, pointed)

    def delete_queryset(self, request, queryset):
        pointed = self._matches_of(queryset)
        super().delete_queryset(request, queryset)
        self._recheck(request, pointed)

    def _matches_of(self, queryset) -> set[int]:
        return set(queryset.values_list(self.match_field, flat=True)) - {None}

    def _recheck(self, request, match_ids: set[int]) -> None:
        with transaction.atomic():
            for match in MatchedService.objects.filter(pk__in=match_ids).order_by("pk"):
                withdraw_if_undone(match, by=request.user)


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    list_display = ("source_reference", "service", "occurred_at", "theme", "harm_level", "people_affected")
    list_filter = ("theme", "harm_level", "safeguarding_concern", "regulatory_notification")
    search_fields = ("source_reference", "service__name", "description")
    raw_id_fields = ("service",)
    date_hierarchy = "occurred_at"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The import's limits and one message for any number outside them, as on the form.
        if db_field.name == "people_affected":
            return people_affected_field()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # An operator's correction changes the figures too: recount the days the incident was and is on.
    def save_model(self, request, obj, form, change):
        before = list(Incident.objects.filter(pk=obj.pk).values_list("service_id", "occurred_at"))
        super().save_model(request, obj, form, change)
        _recount([*before, (obj.service_id, obj.occurred_at)])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _recount([(obj.service_id, obj.occurred_at)])

    def delete_queryset(self, request, queryset):
        gone = list(queryset.values_list("service_id", "occurred_at"))
        super().delete_queryset(request, queryset)
        _recount(gone)


def _recount(incidents) -> None:
    """Bring the daily roll-up and review flags up to date for (service id, instant) pairs changed."""
    if incidents:
        touched = rollup.Touched()
        touched.add_instants(*zip(*incidents, strict=True))
        touched.refresh()


@admin.register(IncidentReview)
class IncidentReviewAdmin(SimpleHistoryAdmin):
    """Read-only: a review outcome is recorded through the app, where its permission and rules are checked."""

    list_display = ("incident", "outcome", "reviewed_by", "reviewed_at")
    list_filter = ("outcome",)
    search_fields = ("incident__source_reference", "incident__service__name", "reason")
    readonly_fields = ("incident", "outcome", "reason", "reviewed_by", "reviewed_at")
    date_hierarchy = "reviewed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CareHours)
class CareHoursAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Read-only: care hours come only from e-care exports; their ImportJob is the audit record (no history).
    list_display = ("service", "day", "hours")
    search_fields = ("service__name",)
    raw_id_fields = ("service",)
    date_hierarchy = "day"


@admin.register(ReviewThresholds)
class ReviewThresholdsAdmin(SimpleHistoryAdmin):
    list_display = ("provider", "repeat_count", "repeat_window_days", "people_affected", "lookback_days")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        rollup.refresh_provider(obj.provider)  # the stored review flags follow the new thresholds


class MatchedServiceInline(admin.TabularInline):
    model = MatchedService
    extra = 0
    fields = ("service", "matched_by_rule", "included", "reason", "rate_7d", "above_median")
    readonly_fields = ("matched_by_rule", "rate_7d", "above_median")
    raw_id_fields = ("service",)


@admin.register(LearningTrigger)
class LearningTriggerAdmin(KeepsFiguresCurrent, SimpleHistoryAdmin):
    list_display = ("reference", "title", "source_service", "theme", "status", "confirmed_at")
    list_filter = ("status", "theme", "provider")
    search_fields = ("title", "source_service__name")
    raw_id_fields = ("source_service", "source_incident", "logged_by")
    inlines = [MatchedServiceInline]

    # A trigger decides its source incident: the incidents it came from and now comes from, or no
    # longer comes from once deleted, move on or off the list awaiting a decision.
    pointer = "source_incident_id"
    refresh = staticmethod(review_flags.refresh_decided)

    def save_related(self, request, form, formsets, change):
        # Its issue time and its matches (the inline) are saved by now: their trend weeks follow both.
        super().save_related(request, form, formsets, change)
        trend.refresh_trend_figures(form.instance.matches.values("pk"))


@admin.register(MatchedService)
class MatchedServiceAdmin(KeepsVerificationHonest, KeepsFiguresCurrent, SimpleHistoryAdmin):
    list_display = (
        "trigger",
        "service",
        "included",
        "rate_7d",
        "above_median",
        "implementation_confirmed_at",
    )
    list_filter = ("included", "matched_by_rule")
    raw_id_fields = ("trigger", "service", "implementation_confirmed_by")

    # A match moved to another service or trigger counts other weeks in the trend: work its own out again.
    pointer = "pk"
    match_field = "pk"
    refresh = staticmethod(trend.refresh_trend_figures)


@admin.register(LearningNotice)
class LearningNoticeAdmin(KeepsFiguresCurrent, SimpleHistoryAdmin):
    list_display = (
        "matched_service",
        "round",
        "owner",
        "issued_at",
        "due_at",
        "acknowledged_at",
        "superseded_at",
    )
    raw_id_fields = ("matched_service", "owner", "issued_by", "acknowledged_by")

    # An operator's correction changes the receipt figures its service keeps (and those of the service
    # it was moved from): work them out again.
    pointer = "matched_service_id"
    refresh = staticmethod(notices.refresh_notice_figures)


@admin.register(ImplementationLead)
class ImplementationLeadAdmin(KeepsVerificationHonest, SimpleHistoryAdmin):
    list_display = ("matched_service", "person", "confirmed_at")
    raw_id_fields = ("matched_service", "person", "confirmed_by")
    match_field = "matched_service"


@admin.register(ImplementationLine)
class ImplementationLineAdmin(KeepsVerificationHonest, SimpleHistoryAdmin):
    list_display = ("task", "service", "owner", "due_at", "completed_at")
    list_filter = ("completed_at",)
    raw_id_fields = ("service", "matched_service", "owner", "completed_by", "created_by")
    match_field = "matched_service"


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("original_name", "provider", "kind", "status", "total_rows", "created_by", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in ImportJob._meta.fields]
