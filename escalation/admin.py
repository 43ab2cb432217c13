"""Admin for reference and support: templates and tuning edited with history; engine rows read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from providers.admin import ReadOnlyAdminMixin

from .models import (
    ChainRun,
    ChainTemplate,
    EngineEvent,
    EngineHeartbeat,
    Escalation,
    Notification,
    ProviderStepSetting,
    StepRun,
    StepTemplate,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Engine rows are written by the engine and services only."""


@admin.register(ChainTemplate)
class ChainTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "owner_app", "preparation_working_days"]


@admin.register(StepTemplate)
class StepTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "role", "escalate_to", "response_working_hours"]
    list_filter = ["chain"]


@admin.register(ProviderStepSetting)
class ProviderStepSettingAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "step", "response_working_hours", "reason"]
    list_filter = ["provider"]


@admin.register(ChainRun)
class ChainRunAdmin(ReadOnlyAdmin):
    list_display = ["chain", "subject_label", "provider", "service", "anchor_at", "status"]
    list_filter = ["chain", "status"]


@admin.register(StepRun)
class StepRunAdmin(ReadOnlyAdmin):
    list_display = ["code", "occurrence", "chain_run", "due_at", "state"]
    list_filter = ["state", "code"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["step_run", "kind", "level", "target_role", "role_gap", "raised_at", "state"]
    list_filter = ["kind", "state", "role_gap"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["escalation", "user", "sent_at", "attempts", "read_at"]


@admin.register(EngineEvent)
class EngineEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "chain_run", "message"]
    list_filter = ["kind"]


@admin.register(EngineHeartbeat)
class EngineHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_finished_at", "last_duration_ms", "last_raised", "runs"]
