"""Admin for reference data: providers, regions, services, teams, shifts, people and roles."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
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


class ReadOnlyAdminMixin:
    """For rows only the system's business actions may write (engine state, issued reports):
    the admin shows them, with history, but never adds, edits or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["provider", "region", "service", "commissioner"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = BaseUserAdmin.fieldsets + (("Work", {"fields": ("job_title",)}),)
    list_display = ("username", "first_name", "last_name", "job_title", "is_active")


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "cqc_provider_id", "working_day_start", "working_day_end", "working_weekdays")
    search_fields = ("name", "cqc_provider_id")


@admin.register(Commissioner)
class CommissionerAdmin(SimpleHistoryAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "provider")
    list_filter = ("provider",)
    search_fields = ("name",)


class RiskTagInline(admin.TabularInline):
    model = ServiceRiskTag
    extra = 1


class ShiftPatternInline(admin.TabularInline):
    model = ShiftPattern
    extra = 0


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "provider", "region", "service_type", "risk_level", "registered_manager")
    list_filter = ("provider", "service_type", "risk_level")
    search_fields = ("name", "cqc_location_id")
    autocomplete_fields = ["region"]
    raw_id_fields = ["registered_manager"]
    filter_horizontal = ["commissioners"]
    inlines = [RiskTagInline, ShiftPatternInline, TeamInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "provider", "region", "service", "commissioner")
    list_filter = ("role", "provider")
    search_fields = ("user__username", "user__last_name")
    autocomplete_fields = ["provider", "region", "service", "commissioner"]
    raw_id_fields = ["user"]
