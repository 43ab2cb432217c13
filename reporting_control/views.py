"""Reporting control pages: updates, lines, holds, release, evidence packs, and the commissioner portal.

Staff views load updates only through permissions.visible_updates (another provider's update is a 404),
ask what the person may do with `user.has_perm`, and leave every rule to services.py. Commissioners
reach only the two portal views.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, ListView, TemplateView, View

from escalation.late_start import StartsOverdue
from learning_transfer.models import LearningTrigger
from providers.actions import AlreadyDone
from providers.forms import add_service_errors
from providers.mixins import FormOnlyMixin, StaffRequiredMixin
from providers.models import Role
from providers.permissions import providers_where, require_perm
from providers.templatetags.nhsuk import on_at
from providers.who_acts import Colleagues, join_or, nobody_holds, refusal

from . import chain, movement, permissions, services, since_release, stale_evidence, update_history
from .choices import WITHHELD_STATES, LineKind, LineState
from .forms import DecisionForm, LineForm, LineServicesForm, ReasonForm, UpdateForm
from .models import ReportingLine, ReportingUpdate
from .packs import commissioners_of


class UpdateMixin(StaffRequiredMixin):
    """Loads `self.update` from the updates the person can see (anything else is a 404), then asks
    for `permission` on it (403 without it)."""

    provider_permission = "reporting_control.read_updates"
    permission = "reporting_control.view_update"

    def get_update(self) -> ReportingUpdate:
        if not hasattr(self, "_update"):
            self._update = get_object_or_404(
                permissions.visible_updates(self.request.user).select_related("provider", "released_by"),
                pk=self.kwargs["pk"],
            )
            require_perm(self.request.user, self.permission, self._update)
        return self._update


class BeforeReleaseMixin:
    """A form that changes an update: once it is released, whoever opens it is sent back to the update,
    told why, before typing anything (the action would refuse it anyway)."""

    def get(self, request, *args, **kwargs):
        return self._released() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._released() or super().post(request, *args, **kwargs)

    def _released(self):
        update = self.get_update()
        if update.released_at is None:
            return None
        messages.info(
            self.request,
            f"{update.reference} was released {on_at(update.released_at)}: it can no longer be changed.",
        )
        return redirect(update.get_absolute_url())


def act_on_update(request, update, action, success: str):
    """Run a business action from a POST; a refusal becomes error messages, not a crash."""
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(update.get_absolute_url())


class UpdateListView(StaffRequiredMixin, ListView):
    """Every update of the person's providers, with counts, in a fixed number of queries."""

    provider_permission = "reporting_control.read_updates"
    template_name = "reporting_control/update_list.html"
    context_object_name = "updates"
    paginate_by = 50

    def get_queryset(self):
        return (
            permissions.visible_updates(self.request.user)
            .select_related("provider")
            .annotate(
                line_count=Count("lines", distinct=True),
                lacking_count=Count("lines", filter=Q(lines__state=LineState.LACKING), distinct=True),
            )
            .order_by("-issue_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        can_plan = bool(providers_where(self.request.user, "reporting_control.plan_update"))
        context = super().get_context_data(can_plan=can_plan, **kwargs)
        withdrawn = since_release.withdrawn_since_release(context["updates"])  # the same few queries
        for update in context["updates"]:
            update.status_text = update.status_words(update.line_count, update.lacking_count)
            update.withdrawn_lines = since_release.withdrawn_line_count(withdrawn, update.pk)
        return context


def decision_form(user, line, data=None, colleagues=None) -> DecisionForm:
    """A line's decision form, offering to clear it at challenge only to those who may and only for a
    line that can be cleared (the rule decide_line applies), saying why otherwise (`colleagues`, shared
    by the lines of a page, reads who can once)."""
    may_clear = user.has_perm("reporting_control.clear_line", line)
    if not may_clear:
        why_not = refusal(user, "reporting_control.clear_line", line, colleagues)
    else:
        why_not = "" if services.clearable(line) else services.NOT_CLEARABLE
    can_clear = may_clear and services.clearable(line)
    return DecisionForm(data, prefix=f"line{line.pk}", can_clear=can_clear, who_clears=why_not)


class UpdateDetailView(UpdateMixin, TemplateView):
    """An update: its lines and evidence, hold, release state, packs, chain C case and history."""

    template_name = "reporting_control/update_detail.html"

    def get_context_data(self, **kwargs):
        update, user = self.get_update(), self.request.user
        lines = list(update.lines.prefetch_related("services").order_by("order"))
        colleagues = Colleagues(user)
        sent_back = kwargs.pop("sent_back", None)  # a line's decision form returned with its errors
        for line in lines:  # one prefix per line, so every field id on the page is unique
            if sent_back is not None and sent_back.prefix == f"line{line.pk}":
                line.decision_form = sent_back
            else:
                line.decision_form = decision_form(user, line, colleagues=colleagues)
        withdrawn = since_release.withdrawn_since_release([update]).get(update.pk, {})
        run = chain.run_for(update)
        against = movement.lines_against_the_claim(run)
        for line in lines:  # a released line whose evidence was withdrawn since says so
            line.withdrawn_since_release = withdrawn.get(line.pk, [])
            # A line presented as improved whose latest figures (C2) show no improvement says so.
            line.against_the_claim = against.get(line.order, "") if line.kind == LineKind.IMPROVEMENT else ""
        holds = update.holds.select_related("placed_by", "lifted_by")
        active = next((h for h in holds if h.is_active), None)
        sign_off = chain.step_run(update, chain.SIGN_OFF_STEP)
        problems = [] if update.released_at else services.release_problems(update)
        status = update.status_words(len(lines), sum(line.state == LineState.LACKING for line in lines))
        return super().get_context_data(
            update=update,
            learning=[(t, user.has_perm("learning_transfer.view_trigger", t)) for t in update.triggers.all()],
            covered=update.services.prefetch_related("commissioners").order_by("name"),
            # With none chosen, the services its lines speak for, as its pack names them.
            spoken_for=sorted(
                {s.name for line in lines if line.state not in WITHHELD_STATES for s in line.services.all()}
            ),
            # Read from the same rule as release, so the status never says less than the release box.
            status="Ready to release" if lines and not update.released_at and not problems else status,
            lines=lines,
            changed_since_check=stale_evidence.changed_since_check(update, lines),
            holds=holds,
            active_hold=active,
            # Every pack the release issued (one per commissioner) and the latest few staff asked for,
            # newest first, so the pack just requested is at the top.
            packs=sorted(
                [
                    *update.packs.filter(for_release=True).select_related("commissioner"),
                    *update.packs.filter(for_release=False)[:5],
                ],
                key=lambda pack: (pack.requested_at, pack.pk),
                reverse=True,
            ),
            run=run,
            # The checks' case, for whoever may open it (the administrator keeps the organisation only).
            can_open_run=run is not None and user.has_perm("escalation.view_chain_run", run),
            sign_off=sign_off,
            problems=problems,
            can_edit=user.has_perm("reporting_control.edit_update", update) and not update.released_at,
            can_hold=user.has_perm("reporting_control.place_hold", update),
            can_lift=user.has_perm("reporting_control.lift_hold", update),
            can_sign=user.has_perm("reporting_control.release_update", update),
            # Who a release would send packs to, named beside the box that confirms it.
            release_to=list(commissioners_of(update).values_list("name", flat=True))
            if not update.released_at
            else [],
            evidenced_lines=sum(line.state in IN_THE_UPDATE for line in lines),
            can_record_sign_off=sign_off is not None and user.has_perm("escalation.record_step", sign_off),
            who_signs_off=sign_off and refusal(user, "escalation.record_step", sign_off, colleagues),
            who_releases=refusal(user, "reporting_control.release_update", update, colleagues),
            # Found: a held update said who placed the hold and why, not who may lift it.
            who_lifts=refusal(user, "reporting_control.lift_hold", update, colleagues) if active else "",
            nobody_signs=nobody_holds(
                update.provider, join_or([Role(role).label for role in permissions.SIGNERS])
            ),
            history=update_history.update_changes(update),  # a whole evidence check in words
            **kwargs,
        )


class UpdateCreateView(StaffRequiredMixin, FormView):
    """Plan an update: starting chain C, whose steps count back from the issue date-time."""

    provider_permission = "reporting_control.plan_update"
    template_name = "reporting_control/update_form.html"
    form_class = UpdateForm

    def provider(self):
        return self.providers[0]

    def get_form_kwargs(self):
        provider = self.provider()
        return {
            **super().get_form_kwargs(),
            "triggers": LearningTrigger.objects.filter(provider=provider).order_by("-confirmed_at"),
            "services": provider.services.prefetch_related("commissioners").order_by("name"),
        }

    def form_valid(self, form):
        try:
            update = services.plan_update(by=self.request.user, provider=self.provider(), **form.cleaned_data)
        except AlreadyDone as done:
            messages.info(self.request, done.message)
            return redirect(done.existing.get_absolute_url())
        except StartsOverdue as late:
            # Nothing saved: the form comes back as typed, naming the late checks, with the checkbox.
            form.ask_to_plan_late()
            add_service_errors(form, late)
            return self.render_to_response(self.get_context_data(form=form, late_steps=late.steps))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{update.reference} planned. Its checks before issue are scheduled (chain C), the first "
            f"due {chain.first_check_due(update)}: add its lines.",
        )
        return redirect(update.get_absolute_url())


class LineCreateView(BeforeReleaseMixin, UpdateMixin, FormView):
    """Add a claim to an update; its evidence is judged as soon as it is saved."""

    permission = "reporting_control.edit_update"
    template_name = "reporting_control/line_form.html"
    form_class = LineForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "services": self.get_update().provider.services.order_by("name")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(update=self.get_update(), **kwargs)

    def form_valid(self, form):
        update = self.get_update()
        try:
            line = services.add_line(update, by=self.request.user, **form.cleaned_data)
        except AlreadyDone as done:
            messages.info(self.request, done.message)
            return redirect(update.get_absolute_url())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Line {line.order} added: {line.get_state_display().lower()}.")
        return redirect(update.get_absolute_url())


class LineServicesView(BeforeReleaseMixin, UpdateMixin, FormView):
    """Name the services of a line added before every line had to name them."""

    permission = "reporting_control.edit_update"
    template_name = "reporting_control/line_services_form.html"
    form_class = LineServicesForm

    def get_line(self) -> ReportingLine:
        return get_object_or_404(ReportingLine, pk=self.kwargs["line_pk"], update=self.get_update())

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "services": self.get_update().provider.services.order_by("name"),
            "initial": {"services": list(self.get_line().services.all())},
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(update=self.get_update(), line=self.get_line(), **kwargs)

    def form_valid(self, form):
        update, line = self.get_update(), self.get_line()
        try:
            line = services.name_line_services(line, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Line {line.order} names its services: {line.get_state_display().lower()}."
        )
        return redirect(update.get_absolute_url())


class LineDecisionView(FormOnlyMixin, UpdateDetailView):
    """Freeze, defer, clear or reopen one line (POST from the update page); a decision missing its
    choice or reason comes back on the update's page with what was typed."""

    http_method_names = ["post"]  # the page itself is the update's
    form_page_name = "reporting_control:update_detail"

    # Freezing and deferring are the editors'; clearing (the signers', all editors too) is checked again
    # by the service.
    permission = "reporting_control.edit_update"

    def post(self, request, pk, line_pk):
        update = self.get_update()
        line = get_object_or_404(ReportingLine, pk=line_pk, update=update)
        form = decision_form(request.user, line, request.POST)
        if form.is_valid():
            try:
                services.decide_line(line, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)  # shown on the form, with the reason as typed
            else:
                messages.success(request, f"Line {line.order} updated.")
                return redirect(update.get_absolute_url())
        return self.render_to_response(self.get_context_data(sent_back=form))


class EvidenceCheckView(FormOnlyMixin, UpdateMixin, View):
    """Check every undecided line against the transfer records again (C1's check)."""

    form_page_name = "reporting_control:update_detail"

    permission = "reporting_control.check_evidence"

    def post(self, request, pk):
        update = self.get_update()
        return act_on_update(
            request, update, lambda: services.check_evidence(update, by=request.user), "Evidence checked."
        )


class _ReasonView(BeforeReleaseMixin, UpdateMixin, FormView):
    """A reason form that runs one hold action."""

    template_name = "reporting_control/reason_form.html"
    form_class = ReasonForm
    heading = ""
    button = ""
    success = ""
    missing = ""  # what an empty reason is told

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "missing": self.missing}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            update=self.get_update(), heading=self.heading, button=self.button, **kwargs
        )

    def form_valid(self, form):
        try:
            self.perform(self.get_update(), form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success)
        return redirect(self.get_update().get_absolute_url())


class HoldPlaceView(_ReasonView):
    """Place an issue hold: nothing of the update is issued until it is lifted."""

    permission = "reporting_control.place_hold"
    heading, button, success = "Place an issue hold", "Place hold", "Issue hold placed."
    missing = "Give the reason for the hold."

    def get_context_data(self, **kwargs):
        # Already held: say by whom and since when, and point to lifting it, rather than a second hold.
        update = self.get_update()
        return super().get_context_data(
            active_hold=services.active_hold(update),
            can_lift=self.request.user.has_perm("reporting_control.lift_hold", update),
            **kwargs,
        )

    def perform(self, update, reason):
        services.place_hold(update, by=self.request.user, reason=reason)


class HoldLiftView(_ReasonView):
    """Lift the active issue hold, as a named person with a reason."""

    permission = "reporting_control.lift_hold"
    heading, button, success = "Lift the issue hold", "Lift hold", "Issue hold lifted."
    missing = "Give the reason for lifting the hold."

    def kept_by(self):
        """The latest sign-off (C5) record when it said to keep the hold, read once per request."""
        if not hasattr(self, "_kept_by"):
            self._kept_by = chain.sign_off_keeping_hold(self.get_update())
        return self._kept_by

    def get_form_kwargs(self):
        # Lifting against the sign-off is confirmed with a tick as well as a reason.
        confirm = "I have read the sign-off and lift the hold against it" if self.kept_by() else ""
        return {**super().get_form_kwargs(), "confirm": confirm}

    def get_context_data(self, **kwargs):
        # What is being lifted, and the lines still lacking evidence (found: only a reason was asked).
        update = self.get_update()
        return super().get_context_data(
            kept_by=self.kept_by(),
            hold=services.active_hold(update),
            lacking=update.lines.filter(state=LineState.LACKING).order_by("order"),
            **kwargs,
        )

    def nothing_to_lift(self):
        """Back to the update, saying who lifted the hold and when, once no hold is active (a second
        submit, the back button, another tab); None while a hold is there to lift."""
        update = self.get_update()
        holds = update.holds.select_related("lifted_by")
        if any(hold.is_active for hold in holds):
            return None
        last = max((h for h in holds if h.lifted_at), key=lambda h: h.lifted_at, default=None)
        if last is None:
            messages.info(self.request, "This update is not held: nothing to lift.")
        else:
            messages.info(
                self.request, f"Already lifted by {last.lifted_by} {on_at(last.lifted_at)}: nothing changed."
            )
        return redirect(update.get_absolute_url())

    def get(self, request, *args, **kwargs):
        return self.nothing_to_lift() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.nothing_to_lift() or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            self.perform(self.get_update(), form.cleaned_data["reason"])
        except ValidationError as error:
            # Lifted by someone else while this form was being sent: say who, rather than refuse.
            gone = self.nothing_to_lift()
            if gone is not None:
                return gone
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success)
        return redirect(self.get_update().get_absolute_url())

    def perform(self, update, reason):
        services.lift_hold(update, by=self.request.user, reason=reason)


IN_THE_UPDATE = (LineState.EVIDENCED, LineState.CHALLENGE_CLEARED)  # what a release says
RELEASE_UNCONFIRMED = "Tick the box to confirm the release: a release cannot be undone. Nothing was released."


class ReleaseView(FormOnlyMixin, UpdateMixin, View):
    """Release the update (the rule lives in services.release_update)."""

    form_page_name = "reporting_control:update_detail"

    permission = "reporting_control.release_update"

    def post(self, request, pk):
        update = self.get_update()
        if request.POST.get("confirm") != "yes" and not update.released_at:
            # A release cannot be undone and goes to commissioners: one stray tap must not send it.
            messages.error(request, RELEASE_UNCONFIRMED)
            return redirect(f"{update.get_absolute_url()}#release")
        try:
            released = services.release_update(update, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if released:
                messages.success(request, "Released. The evidence pack for issue will be built shortly.")
            else:
                messages.info(request, "This update was already released: nothing changed.")
        return redirect(update.get_absolute_url())
