"""The pages where a provider's administrator keeps their own provider up to date."""

from datetime import date, timedelta
from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.generic import TemplateView

from . import permissions, services, sign_in
from .actions import AlreadyDone
from .calendar import bank_holidays_between
from .choices import ROLE_SCOPE, Role, Scope
from .forms import (
    PeopleSearchForm,
    PersonForm,
    RemoveRoleForm,
    ScopedRoleForm,
    StaffRoleForm,
    SwitchSignInForm,
    WorkingHoursForm,
    add_service_errors,
)
from .history import recent_changes, weekdays_in_words
from .mixins import StaffRequiredMixin
from .models import RoleAssignment, Service

ADMINISTER = "providers.administer_provider"
# The session key holding a set-password link until its page shows it, once (post, redirect, get).
LINK_TO_SHOW = "set_password_link"


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


def _a_year_on(day: date) -> date:
    """The same date a year later (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


class WorkingHoursView(AdministeredProviderMixin, TemplateView):
    """The provider's working day and working weekdays, which every working-time deadline counts in,
    and the bank holidays of the coming 12 months, which never count. Every member of staff reads them
    (their deadlines are counted in them); only the administrator changes them."""

    template_name = "providers/working_hours.html"
    provider_permission = "providers.read_working_hours"

    @cached_property
    def can_change(self) -> bool:
        return self.request.user.has_perm(ADMINISTER, self.provider)

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
        today = timezone.localdate()
        return super().get_context_data(
            provider=provider,
            providers=self.providers,
            can_change=self.can_change,
            working_days=weekdays_in_words(provider.working_weekdays),
            form=kwargs.pop("form", None) or self._form(),
            history=history,
            bank_holidays=bank_holidays_between(today, _a_year_on(today) - timedelta(days=1)),
            **kwargs,
        )

    def post(self, request):
        if not self.can_change:
            raise permissions.Refused(ADMINISTER, self.provider)
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


def _people_page(provider_id) -> str:
    return f"{reverse('people')}?provider={provider_id}"


def _second_step_words(added: RoleAssignment) -> str:
    """What a first provider-level role asks of its holder: a provider-level role sees the whole
    provider, so its holder signs in with a second step (an authenticator app) from their next page."""
    if ROLE_SCOPE[Role(added.role)] != Scope.PROVIDER:
        return ""
    others = RoleAssignment.objects.filter(user=added.user).exclude(pk=added.pk)
    if any(ROLE_SCOPE[Role(role)] == Scope.PROVIDER for role in others.values_list("role", flat=True)):
        return ""
    return (
        f" It is their first role for the whole provider: from their next page {added.user} is asked to "
        "set up two-step login with an authenticator app before going on."
    )


def _role_given(request, added: RoleAssignment):
    """Say a role was given, and go back to the provider's people."""
    on_record = ""
    if added.role == Role.REGISTERED_MANAGER and added.service_id:
        manager = Service.objects.get(pk=added.service_id).registered_manager
        if manager is not None and manager != added.user:
            on_record = f" {manager} stays the registered manager on record there."
    messages.success(
        request,
        f"{added.get_role_display()} for {added.scope_label} given to {added.user}. "
        f"It works from their next page.{on_record}{_second_step_words(added)}",
    )
    return redirect(_people_page(added.provider_id))


# People shown on one page of People and roles: a large provider's whole list would be far too long.
PEOPLE_PER_PAGE = 25


def _matching(people, provider, words: str):
    """The people matching every word searched for, each word in their name, username, job title or
    e-mail address, or in the role or the service or region of a role they hold at this provider
    ("Clinical Lead", "Elm House", "priya"): one query, whatever the number of words."""
    for word in words.split():
        roles = [role.value for role in Role if word.lower() in role.label.lower()]
        held_here = RoleAssignment.objects.filter(provider=provider).filter(
            Q(role__in=roles) | Q(service__name__icontains=word) | Q(region__name__icontains=word)
        )
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
            | Q(job_title__icontains=word)
            | Q(pk__in=held_here.values("user_id"))
        )
    return people


class PeopleView(AdministeredProviderMixin, TemplateView):
    """The provider's people, each with the roles they hold (or "No role now", with their sign-in
    switched off or not), a page of them at a time and searchable by name, e-mail, role or service; its
    commissioners apart (the platform's operators set them up); and the form that gives someone a role.

    The page reads the same few queries however many people the provider has: one page of people, and
    the roles of those people only."""

    template_name = "providers/people.html"

    def get_context_data(self, **kwargs):
        provider = self.provider
        search = PeopleSearchForm(self.request.GET)
        words = search.cleaned_data["q"] if search.is_valid() else ""
        everyone = services.people_of(provider)
        if words:
            everyone = _matching(everyone, provider, words)
        commissioning = RoleAssignment.objects.filter(provider=provider, role=Role.COMMISSIONER)
        staff_roles = RoleAssignment.objects.filter(provider=provider).exclude(role=Role.COMMISSIONER)
        # A person holding only a commissioner's role here is listed apart; one holding a staff role too
        # is among the people, where that role can be removed.
        only_commissioners = Q(pk__in=commissioning.values("user_id")) & ~Q(
            pk__in=staff_roles.values("user_id")
        )
        page = Paginator(everyone.exclude(only_commissioners), PEOPLE_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        people = list(page.object_list)
        commissioners = list(everyone.filter(only_commissioners))
        self._add_roles(provider, people + commissioners)
        self._mark_sign_in_actions(people)
        return super().get_context_data(
            provider=provider,
            providers=self.providers,
            people=people,
            page=page,
            search=search,
            words=words,
            commissioners=commissioners,
            form=kwargs.pop("form", None) or StaffRoleForm(provider, by=self.request.user),
            **kwargs,
        )

    @staticmethod
    def _add_roles(provider, people) -> None:
        """Give each person the roles they hold here (`roles_here`), read in one query for them all."""
        assignments = (
            RoleAssignment.objects.filter(provider=provider, user_id__in=[person.pk for person in people])
            .select_related("region", "service", "commissioner", "provider")
            .order_by("role", "pk")
        )
        roles_of = {}
        for assignment in assignments:
            roles_of.setdefault(assignment.user_id, []).append(assignment)
        for person in people:
            person.roles_here = roles_of.get(person.pk, [])
            for assignment in person.roles_here:
                assignment.user = person  # each role names its person without reading them again

    def _mark_sign_in_actions(self, people) -> None:
        """Mark who is offered "Switch off their sign-in" (holding no role anywhere: one question for
        all of them) and "Make a new set-password link" (`sign_in.why_no_new_link`)."""
        me = self.request.user
        roleless = [
            p.pk for p in people if not (p.roles_here or p.is_superuser or p.pk == me.pk) and p.is_active
        ]
        elsewhere = set(RoleAssignment.objects.filter(user_id__in=roleless).values_list("user_id", flat=True))
        for person in people:
            person.may_switch_off = person.pk in roleless and person.pk not in elsewhere
            person.may_get_link = not sign_in.why_no_new_link(person, me)

    def post(self, request):
        form = StaffRoleForm(self.provider, request.POST, by=request.user)
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
    themselves a role (`services.give_role`); a commissioner is the platform's operators' to set up,
    and a switched-off person must be switched back on first: the page says so and has no form."""

    template_name = "providers/person_give_role.html"

    @cached_property
    def person(self):
        return get_object_or_404(services.people_of(self.provider), pk=self.kwargs["pk"])

    @cached_property
    def refusal(self) -> str:
        """Why no role is given here, said up front: empty when one may be."""
        person = self.person
        if person.pk == self.request.user.pk:
            return "You cannot give yourself a role. Ask another provider administrator to do it."
        if not sign_in.staff_people_of(self.provider).filter(pk=person.pk).exists():
            return f"{sign_in.COMMISSIONERS} They are not given a role here."
        if not person.is_active:
            return f"{person}'s sign-in is switched off. {services.BACK_ON_FIRST}"
        return ""

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
            refusal=self.refusal,
            form=kwargs.pop("form", None) or ScopedRoleForm(self.provider),
            **kwargs,
        )

    def post(self, request, pk):
        form = ScopedRoleForm(self.provider, request.POST)
        if self.refusal:
            return self.render_to_response(self.get_context_data(form=form))
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
    """Take one role away from a person, with the reason. Another provider's role is a 404, and so is a
    commissioner's: the platform's operators set those up and remove them.

    Where the person is the only one holding the role there, the page says so before anything is
    typed, naming the first of the work nobody could then record, and removing needs "Remove anyway"
    (`services.only_holder`). The provider's last administrator is never removed, so their page says
    so and has no form."""

    template_name = "providers/role_remove.html"

    @cached_property
    def assignment(self) -> RoleAssignment:
        administered = RoleAssignment.objects.filter(provider__in=self.providers).exclude(
            role=Role.COMMISSIONER
        )
        return get_object_or_404(
            administered.select_related("user", "provider", "region", "service", "commissioner"),
            pk=self.kwargs["pk"],
        )

    @cached_property
    def only_holder(self):
        return services.only_holder(self.assignment)

    @cached_property
    def last_administrator(self) -> bool:
        """The provider's only administrator: removing them is refused (`services.remove_role`)."""
        return self.assignment.role == Role.PROVIDER_ADMINISTRATOR and self.only_holder is not None

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or RemoveRoleForm(ask_to_remove_anyway=bool(self.only_holder))
        kwargs.setdefault("only_holder", self.only_holder)
        # The work listed links to its pages only for an administrator who also holds a role that
        # sees the provider's work (every page of it): the administrator's own role opens none.
        links_open = permissions.holds_now(
            self.request.user, permissions.WORK_ROLES, self.assignment.provider
        )
        return super().get_context_data(
            assignment=self.assignment,
            form=form,
            last_administrator=self.last_administrator,
            links_open=links_open,
            **kwargs,
        )

    def post(self, request, pk):
        form = RemoveRoleForm(request.POST, ask_to_remove_anyway=bool(self.only_holder))
        if self.last_administrator:  # the page says why, and offers nothing to submit
            return self.render_to_response(self.get_context_data(form=form))
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
                return redirect(_people_page(assignment.provider_id))
        return self.render_to_response(self.get_context_data(form=form))


def _show_link_once(request, person, link: str) -> None:
    """Keep the link in the session until its page shows it: the form's answer is a redirect, so a
    refresh sends nothing again, and the link is shown once, never stored anywhere else."""
    request.session[LINK_TO_SHOW] = {"person": person.pk, "link": link}


def _link_to_show(request, person) -> dict:
    """The person's set-password link, once (then it is gone), with how long it works; {} if none."""
    kept = request.session.get(LINK_TO_SHOW)
    if not kept or kept["person"] != person.pk:
        return {}
    del request.session[LINK_TO_SHOW]
    return {"link": kept["link"], "link_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)}


class PersonAddView(AdministeredProviderMixin, TemplateView):
    """Add a person with their first role; the page then shows the link where they set their password.

    The answer is a redirect to this page naming who was added (?added=), which shows the link once,
    from the session (`_link_to_show`): the administrator passes it on, and if it is lost makes a new
    one (`PersonPasswordLinkView`).
    """

    template_name = "providers/person_add.html"

    def get_context_data(self, **kwargs):
        added = self.request.GET.get("added")
        if added and "form" not in kwargs:
            person = services.people_of(self.provider).filter(pk=added).first() if added.isdigit() else None
            if person is not None:
                kwargs.update(added=person, **_link_to_show(self.request, person))
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
                    same_name_anyway=bool(data.get(services.SAME_NAME_ANYWAY)),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and services.SAME_NAME_ANYWAY in exc.error_dict:
                    form.ask_if_someone_else()  # nothing saved: the form comes back as typed, with the box
                add_service_errors(form, exc)
            else:
                _show_link_once(request, person, services.password_link(request, person))
                return redirect(f"{request.path}?provider={self.provider.pk}&added={person.pk}")
        return self.render_to_response(self.get_context_data(form=form))


class PersonPageMixin(AdministeredProviderMixin):
    """A page about one of the provider's staff (`sign_in.staff_people_of`); anyone else is a 404,
    and so is the administrator themself (nobody acts on their own sign-in)."""

    @cached_property
    def person(self):
        others = sign_in.staff_people_of(self.provider).exclude(pk=self.request.user.pk)
        return get_object_or_404(others, pk=self.kwargs["pk"])

    def back_to_people(self):
        return redirect(_people_page(self.provider.pk))


class PersonPasswordLinkView(PersonPageMixin, TemplateView):
    """Make a new set-password link for someone who has not chosen a password yet (their earlier link
    lost or expired): the answer shows it once (`_link_to_show`), and the earlier one stops working."""

    template_name = "providers/person_password_link.html"

    def get_context_data(self, **kwargs):
        person = self.person
        return super().get_context_data(
            provider=self.provider,
            person=person,
            refusal=sign_in.why_no_new_link(person, self.request.user),
            **_link_to_show(self.request, person),
            **kwargs,
        )

    def post(self, request, pk):
        try:
            link = sign_in.new_password_link(request, self.provider, self.person, by=request.user)
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(errors=exc.messages))
        _show_link_once(request, self.person, link)
        return redirect(f"{request.path}?provider={self.provider.pk}")


class SignInSwitchView(PersonPageMixin, TemplateView):
    """Switch off the sign-in of a person who holds no role now, or (`on`) switch it back on, with the
    reason (`sign_in.switch_off`, `sign_in.switch_on`). Why it may not be switched off is said up
    front, with no form."""

    template_name = "providers/sign_in_switch.html"
    on = False

    def refusal(self) -> str:
        person = self.person
        if person.is_active == self.on:
            return f"{person}'s sign-in is already {'on' if self.on else 'switched off'}."
        return "" if self.on else sign_in.why_not_switched_off(self.provider, person, self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            provider=self.provider,
            person=self.person,
            on=self.on,
            refusal=self.refusal(),
            form=kwargs.pop("form", None) or SwitchSignInForm(),
            **kwargs,
        )

    def post(self, request, pk):
        form = SwitchSignInForm(request.POST)
        if form.is_valid():
            switch = sign_in.switch_on if self.on else sign_in.switch_off
            reason = form.cleaned_data["reason"]
            try:
                person = switch(self.provider, self.person, by=request.user, reason=reason)
            except AlreadyDone as done:  # a double submit: say so, record nothing
                messages.info(request, done.message)
                return self.back_to_people()
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, self._done(person))
                return self.back_to_people()
        return self.render_to_response(self.get_context_data(form=form))

    def _done(self, person) -> str:
        if self.on:
            return f"{person} can sign in again. Give them a role when they need one."
        return (
            f"{person}'s sign-in is switched off: {person} can no longer sign in, and is signed out at "
            "their next page. Their account and history are kept."
        )


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """A new person chooses their password through the link their administrator gave them (once)."""

    template_name = "registration/set_password.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        username = form.user.get_username()
        messages.success(self.request, f"Your password is set. Sign in as {username} with your new password.")
        return super().form_valid(form)
