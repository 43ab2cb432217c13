"""View mixins shared by every app: login plus a role check, answered by providers.permissions."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from . import permissions


class StaffRequiredMixin(LoginRequiredMixin):
    """Provider staff only; `allowed_roles` narrows it further (empty means any staff role)."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.is_provider_staff(request.user):
            raise PermissionDenied
        if self.allowed_roles and not permissions.holds_any_role(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CommissionerRequiredMixin(LoginRequiredMixin):
    """Commissioners only."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.is_commissioner(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
