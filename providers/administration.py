"""The pages where a provider's administrator keeps their own provider up to date."""

from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.views.generic import TemplateView

from . import services
from .actions import AlreadyDone
from .forms import (
    PersonForm,
    RemoveRoleForm,
    RoleForm,
    ScopedRoleForm,
    WorkingHoursForm,
    add_service_errors,
)
from .history import recent_changes
from .mixins import StaffRequiredMixin
from .models import RoleAssignment

ADMINISTER = "providers.administer_provider"


class AdministeredProviderMixin(StaffRequiredMixin):
    """A page about one provider the person administers: ?provider= among theirs, else their first.

    A provider the person does not administer is never chosen, whatever the address asks for.
    """

    provider_permission = ADMINISTER

    @cached_property
    def provider(self):
        wanted = self.request.GET.get("provider") or self.request.POST.get("provider")
        return next((p for p in self.providers if str(p.pk) == wanted), self.providers[0])

    def back_here(self):
        return redirect(f"{self.request.path}?provider={self.provider.pk}")


class WorkingHoursView(AdministeredProviderMixin, TemplateView):
    """The provider's working day and working weekdays, which every working-time deadline counts in."""

    template_name = "providers/working_hours.html"

    def _form(self, data=None):
        provider = self.provider
        initial = {
            "start": provider.working_day_start,
            "end": provider.working_day_end,
            "weekdays": sorted(provider.working_hours.weekdays),
        }
        return WorkingHoursForm(data, initial=initial)

    def get_context_data(self, **kwargs):
        provider = self.provider
        history = recent_changes(provider)
        return super().get_context_data(
            provider=provider,
            providers=self.providers,
            form=kwargs.pop("form", None) or self._form(),
            history=history,
            **kwargs,
        )

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                services.set_working_hours(self.provider, by=request.user, **form.cleaned_data)
            except AlreadyDone as done:  # a double submit, or nothing changed: say so, record nothing
                messages.info(request, done.message)
                return self.back_here()
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Working hours saved for {self.provider}.")
                return self.back_here()
        return self.render_to_response(self.get_context_data(form=form))


def _role_given(request, added: RoleAssignment):
    """Say a role was given, and go back to the provider's people."""
    messages.success(
        request,
        f"{added.get_role_display()} for {added.scope_label} given to {added.user}. "
        "It works from their next page.",
    )
    return redirect(f"{reverse('people')}?provider={added.provider_id}")


class PeopleView(AdministeredProviderMixin, TemplateView):
    """The provider's people, each with the roles they hold (or "No role now"), and the form that
    gives someone a role."""

    template_name = "providers/people.html"

    def get_context_data(self, **kwargs):
        provider = self.provider
        assignments = (
            RoleAssignment.objects.filter(provider=provider)
            .select_related("region", "service", "commissioner", "provider")
            .order_by("role", "pk")
        )
        roles_of = {}
        for assignment in assignments:
            roles_of.setdefault(assignment.user_id, []).append(assignment)
        people = list(services.people_of(provider))
        for person in people:
            person.roles_here = roles_of.get(person.pk, [])
            for assignment in person.roles_here:
                assignment.user = person  # each role names its person without reading them again
        return super().get_context_data(
            provider=provider,
            providers=self.providers,
            people=people,
            form=kwargs.pop("form", None) or RoleForm(provider),
            **kwargs,
        )

    def post(self, request):
        form = RoleForm(self.provider, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                added = services.give_role(self.provider, by=request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return _role_given(request, added)
        return self.render_to_response(self.get_context_data(form=form))


class PersonGiveRoleView(AdministeredProviderMixin, TemplateView):
    """Give one of the provider's people a role: a second role, acting-up cover, or a role back for
    someone who holds none now. Someone who is not one of the provider's people is a 404; nobody gives
    themselves a role (`services.give_role`)."""

    template_name = "providers/person_give_role.html"

    @cached_property
    def person(self):
        return get_object_or_404(services.people_of(self.provider), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        person = self.person
        roles_here = (
            RoleAssignment.objects.filter(provider=self.provider, user=person)
            .select_related("region", "service", "commissioner", "provider")
            .order_by("role", "pk")
        )
        return super().get_context_data(
            provider=self.provider,
            person=person,
            roles_here=roles_here,
            is_self=person.pk == self.request.user.pk,
            form=kwargs.pop("form", None) or ScopedRoleForm(self.provider),
            **kwargs,
        )

    def post(self, request, pk):
        form = ScopedRoleForm(self.provider, request.POST)
        if form.is_valid():
            try:
                added = services.give_role(
                    self.provider, by=request.user, person=self.person, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return _role_given(request, added)
        return self.render_to_response(self.get_context_data(form=form))


class RoleRemoveView(AdministeredProviderMixin, TemplateView):
    """Take one role away from a person, with the reason. Another provider's role is a 404.

    Where the person is the only one holding the role there, the page says so before anything is
    typed, naming the first of the work nobody could then record, and removing needs "Remove anyway"
    (`services.only_holder`)."""

    template_name = "providers/role_remove.html"

    @cached_property
    def assignment(self) -> RoleAssignment:
        administered = RoleAssignment.objects.filter(provider__in=self.providers)
        return get_object_or_404(
            administered.select_related("user", "provider", "region", "service", "commissioner"),
            pk=self.kwargs["pk"],
        )

    @cached_property
    def only_holder(self):
        return services.only_holder(self.assignment)

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or RemoveRoleForm(ask_to_remove_anyway=bool(self.only_holder))
        kwargs.setdefault("only_holder", self.only_holder)
        return super().get_context_data(assignment=self.assignment, form=form, **kwargs)

    def post(self, request, pk):
        form = RemoveRoleForm(request.POST, ask_to_remove_anyway=bool(self.only_holder))
        if form.is_valid():
            assignment = self.assignment
            try:
                services.remove_role(
                    assignment,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    remove_anyway=form.cleaned_data.get(services.REMOVE_ANYWAY, False),
                )
            except services.OnlyHolderLeft as gap:
                # Someone else lost the role meanwhile: the form comes back with the warning and tick.
                form.ask_to_remove_anyway()
                add_service_errors(form, gap)
                return self.render_to_response(self.get_context_data(form=form, only_holder=gap.holder))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{assignment.get_role_display()} for {assignment.scope_label} removed from "
                    f"{assignment.user}. It stops working from their next page.",
                )
                return redirect(f"{reverse('people')}?provider={assignment.provider_id}")
        return self.render_to_response(self.get_context_data(form=form))


class PersonAddView(AdministeredProviderMixin, TemplateView):
    """Add a person with their first role; the page then shows the link where they set their password.

    The link is shown once, on the answer to the form, and never stored: the administrator passes it on.
    """

    template_name = "providers/person_add.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            provider=self.provider, form=kwargs.pop("form", None) or PersonForm(self.provider), **kwargs
        )

    def post(self, request):
        form = PersonForm(self.provider, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.add_person(
                    self.provider,
                    by=request.user,
                    details=form.details(),
                    role=data["role"],
                    region=data["region"],
                    service=data["service"],
                    reason=data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                link = services.password_link(request, person)
                return self.render_to_response(
                    self.get_context_data(
                        added=person,
                        link=link,
                        link_days=settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
                        form=PersonForm(self.provider),
                    )
                )
        return self.render_to_response(self.get_context_data(form=form))


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """A new person chooses their password through the link their administrator gave them (once)."""

    template_name = "registration/set_password.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        messages.success(self.request, "Your password is set. Sign in with your username and new password.")
        return super().form_valid(form)
