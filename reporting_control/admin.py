"""Admin for chain C records, read-only: holds, release and packs change only through services.py,
so the rules (a reason to lift, no release while held) cannot be side-stepped here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from providers.admin import ReadOnlyAdminMixin

from .models import EvidencePack, IssueHold, ReportingLine, ReportingUpdate


class ReadOnlyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Chain C rows change only through the services, where the hold and release rules live."""


@admin.register(ReportingUpdate)
class ReportingUpdateAdmin(ReadOnlyAdmin):
    list_display = ("title", "provider", "audience", "issue_at", "status", "released_at")
    list_filter = ("status", "audience", "provider")
    search_fields = ("title",)


@admin.register(ReportingLine)
class ReportingLineAdmin(ReadOnlyAdmin):
    list_display = ("update", "order", "kind", "state")
    list_filter = ("kind", "state")


@admin.register(IssueHold)
class IssueHoldAdmin(ReadOnlyAdmin):
    list_display = ("update", "placed_by", "placed_at", "lifted_by", "lifted_at")


@admin.register(EvidencePack)
class EvidencePackAdmin(admin.ModelAdmin):
    list_display = ("update", "commissioner", "status", "progress", "for_release", "built_at", "sha256")
    list_filter = ("status", "for_release")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
