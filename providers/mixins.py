"""View mixins shared by every app: who may open a page at all. What a person may see and do with
each object is asked afterwards with `user.has_perm(perm, obj)` (the apps' permission tables)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from . import permissions


class StaffRequiredMixin(LoginRequiredMixin):
    """Provider staff only: a staff role held now.

    `provider_permission`, for a page not about one object (a list, a create form), is a permission
    the person must have at one of their providers at least; `self.providers` are those providers.
    """

    provider_permission = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.is_provider_staff(request.user):
            raise PermissionDenied
        if self.provider_permission:
            self.providers = permissions.providers_where(request.user, self.provider_permission)
            if not self.providers:
                # Named at the person's own provider: the refusal says who there can do it.
                provider = permissions.visible_providers(request.user).order_by("name").first()
                raise permissions.Refused(self.provider_permission, provider)
        return super().dispatch(request, *args, **kwargs)


class CommissionerRequiredMixin(LoginRequiredMixin):
    """Commissioners only."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.is_commissioner(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
