"""View mixins shared by every app: who may open a page at all. What a person may see and do with
each object is asked afterwards with `user.has_perm(perm, obj)` (the apps' permission tables)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from . import permissions


class StaffRequiredMixin(LoginRequiredMixin):
    """Provider staff only: a staff role held now.

    `for_the_work` limits it to holders of a work role (`permissions.does_the_work`).
    `provider_permission`, for a page not about one object (a list, a create form), is a permission
    the person must have at one of their providers at least; `self.providers` are those providers.
    """

    provider_permission = ""
    # A page of the services' work: refused to a person who holds no work role (the administrator
    # alone), who would otherwise read it empty (found by address, though the menu no longer offers it).
    for_the_work = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.is_provider_staff(request.user):
            raise PermissionDenied
        if self.for_the_work and not permissions.does_the_work(request.user):
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


class FormOnlyMixin:
    """An address that only takes a form's button (POST: acknowledge, release, issue the learning).

    A form that comes back with an error stays at such an address; opened again (a phone reloading a
    tab, the address bar), it still refuses (405) but with the site's own page, linking to the page the
    button is on: `form_page_name`, given the address's `pk` unless `form_page_takes_pk` is False. Put
    it first among the bases, so it answers for the view.
    """

    form_page_name = "home"
    form_page_takes_pk = True

    def form_page(self) -> str:
        """The address of the page the form's button is on (that page checks who may open it)."""
        takes_pk = self.form_page_takes_pk and "pk" in self.kwargs
        return reverse(self.form_page_name, args=[self.kwargs["pk"]] if takes_pk else [])

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = render(request, "405.html", {"form_page": self.form_page()}, status=405)
        response["Allow"] = ", ".join(self._allowed_methods())
        return response
