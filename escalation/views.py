"""Escalation pages: my escalations, an escalation, a case's timeline, recording a step, the chains.

Every view needs a signed-in member of provider staff (StaffRequiredMixin), loads its objects from
querysets scoped by escalation.permissions (so another provider's rows are a 404), asks what the
person may do with `user.has_perm`, and leaves the business rules to services.py.
"""

from functools import partial
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView, View

from providers.actions import AlreadyDone
from providers.forms import add_service_errors
from providers.history import recent_changes
from providers.mixins import FormOnlyMixin, StaffRequiredMixin
from providers.permissions import providers_where, require_perm, visible_providers
from providers.who_acts import refusal, split_yours

from . import (
    computations,
    notifications,
    occurrences,
    permissions,
    services,
    settling,
    step_facts,
    subjects,
)
from .choices import RECORDED_ESCALATIONS_OPEN, EscalationKind
from .forms import (
    ActionForm,
    BackToDefaultForm,
    ResolveForm,
    StepRecordForm,
    StepSettingForm,
)
from .measures import text_in_words, with_parameters
from .models import (
    ChainTemplate,
    Escalation,
    Notification,
    ProviderStepSetting,
    StepRecord,
    StepRun,
    StepTemplate,
    describe_window,
)
from .recording import RECORD_ANYWAY
from .rules import describe_rule, with_thresholds
from .tuning import differs_from_default, setting_changes, shared_parameters


def _with_typed_over(deciding: dict, record) -> dict:
    """The deciding values, with the system's figure and the reason beside any of them typed over the
    system's (found: a breach raised on a figure typed over read as the system's own), for a person who
    may read the record."""
    typed = (record.values.get(computations.SYSTEM_FIGURES) or {}) if record is not None else {}
    beside = {key: typed[key] for key in deciding if key in typed}
    return deciding | {computations.SYSTEM_FIGURES: beside} if beside else deciding


class EscalationDetailView(StaffRequiredMixin, TemplateView):
    """Why it was raised (rule, values, deadline), who was told, what was done, and its history."""

    template_name = "escalation/detail.html"

    def get_escalation(self) -> Escalation:
        queryset = (
            permissions.visible_escalations(self.request.user)
            .select_related(
                "step_run",
                "root",  # whose kind and time say which record raised a follow-up
                "chain_run__chain",
                "provider",
                "service__region",
                "region",
                "acknowledged_by",
                "action_recorded_by",
                "resolved_by",
            )
            .prefetch_related(Prefetch("notifications", queryset=Notification.objects.select_related("user")))
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        escalation = self.get_escalation()
        user = self.request.user
        notifications.mark_read(user, escalation)
        step = escalation.step_run
        record, current = records_behind(escalation)
        root = escalation.root_id or escalation.pk
        can_act = user.has_perm("escalation.acknowledge_escalation", escalation)
        thread = list(
            permissions.visible_escalations(user).filter(Q(pk=root) | Q(root_id=root)).order_by("level", "pk")
        )
        step_missing = services.step_still_missing(escalation)
        # The figures and words the person sees (`permissions.values_seen`); a person told of it who
        # may not open its case (C2's manager of a service behind) reads the escalation, not the record.
        seen = permissions.values_seen(user, escalation.chain_run)
        can_open_case = user.has_perm("escalation.view_chain_run", escalation.chain_run)
        shown_record = seen.record(record, step.measures) if record and can_open_case else None
        context = {
            "escalation": escalation,
            "step": step,
            "record": record,
            "recorded_again": current if current != record else None,
            "subject_link": subjects.subject_link(user, escalation.chain_run),
            "rule_text": describe_rule(escalation.rule, step.measures) if escalation.rule else "",
            "reason": seen.text(escalation.reason),
            "deciding_rows": seen.rows(
                step.measures, _with_typed_over(escalation.deciding, record if shown_record else None)
            ),
            "record_rows": shown_record.rows if shown_record else [],
            "shown_record": shown_record,
            "not_shown": seen.note(step.measures, escalation.deciding, record.values if shown_record else {}),
            "can_open_case": can_open_case,
            "thread": thread,
            # Said by the Resolve button: resolving this level leaves the follow-ups above it open.
            "left_open": settling.follow_ups_left_open(escalation, thread) if step_missing else "",
            "can_act": can_act,
            "who_acts": "" if can_act else refusal(user, "escalation.acknowledge_escalation", escalation),
            "action_form": kwargs.pop("action_form", None) or ActionForm(),
            "resolve_form": kwargs.pop("resolve_form", None) or ResolveForm(note_needed=step_missing),
            "events": escalation.events.select_related("actor").order_by("at", "pk"),
            "history": recent_changes(escalation, 30),
        }
        return super().get_context_data(**context, **kwargs)


def records_behind(escalation: Escalation) -> tuple[StepRecord | None, StepRecord | None]:
    """The record the escalation is about and the step's current record (one query): a breach's is the
    record that raised it, which a later record may have superseded; any other's (an overdue step, a
    weak group) is the current one, which says when the step was recorded."""
    first = escalation.root or escalation
    raised_it = Q(recorded_at=first.occurred_at) if first.kind == EscalationKind.BREACH else Q(pk__in=[])
    rows = list(
        StepRecord.objects.filter(Q(is_current=True) | raised_it, step_run_id=escalation.step_run_id)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-pk")
    )
    current = next((row for row in rows if row.is_current), None)
    if first.kind != EscalationKind.BREACH:
        return current, current
    return next((row for row in rows if row.recorded_at == first.occurred_at), current), current


class EscalationActionView(FormOnlyMixin, StaffRequiredMixin, View):
    """POST only: acknowledge, record the action taken, or resolve."""

    form_page_name = "escalation:detail"

    action = ""
    permission = {
        "acknowledge": "escalation.acknowledge_escalation",
        "record_action": "escalation.record_escalation_action",
        "resolve": "escalation.resolve_escalation",
    }

    def post(self, request, pk):
        escalation = get_object_or_404(
            permissions.visible_escalations(request.user).select_related("provider", "service", "chain_run"),
            pk=pk,
        )
        # Before the form: a person who may not act is refused, not shown the form's errors.
        require_perm(request.user, self.permission[self.action], escalation)
        try:
            if self.action == "acknowledge":
                services.acknowledge(escalation, by=request.user)
                messages.success(request, "Escalation acknowledged.")
            elif self.action == "record_action":
                form = ActionForm(request.POST)
                if not form.is_valid():
                    return self._again(request, pk, action_form=form)
                services.record_action(
                    escalation, by=request.user, action_taken=form.cleaned_data["action_taken"]
                )
                messages.success(request, "Action recorded.")
            else:
                form = ResolveForm(request.POST, note_needed=services.step_still_missing(escalation))
                if not form.is_valid():
                    return self._again(request, pk, resolve_form=form)
                try:
                    services.resolve(escalation, by=request.user, note=form.cleaned_data.get("note", ""))
                except ValidationError as exc:
                    if not hasattr(exc, "error_dict"):
                        raise
                    # A note the service asks for is shown on its field, with what was typed kept.
                    add_service_errors(form, exc)
                    return self._again(request, pk, resolve_form=form)
                messages.success(request, "Escalation resolved.")
        except AlreadyDone as done:  # sent twice (a double press): the first did it, nothing more to do
            messages.info(request, done.message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(escalation.get_absolute_url())

    def _again(self, request, pk, **forms):
        view = EscalationDetailView()
        view.setup(request, pk=pk)
        return view.render_to_response(view.get_context_data(**forms))


class ChainRunDetailView(StaffRequiredMixin, TemplateView):
    """A case's steps as a timeline (due, recorded, overdue, breached) and its escalations."""

    template_name = "escalation/chain_run.html"

    def get_context_data(self, **kwargs):
        run = get_object_or_404(
            permissions.visible_chain_runs(self.request.user).select_related(
                "chain", "provider", "service", "started_by"
            ),
            pk=self.kwargs["pk"],
        )
        current = Prefetch(
            "records",
            queryset=StepRecord.objects.filter(is_current=True).select_related("recorded_by"),
            to_attr="current_records",
        )
        user = self.request.user
        step_runs = list(
            permissions.visible_step_runs(user)
            .filter(chain_run=run)
            .select_related("region")
            .order_by("order", "due_at", "occurrence")
            .prefetch_related(current)
        )
        now = timezone.now()
        for step in step_runs:
            step.chain_run = run  # already read
            step.shown_state = step.display_state(now)
            step.current_record = step.current_records[0] if step.current_records else None
        # Whose each step is: the person's own to record, or who records it.
        split_yours(self.request.user, step_runs, "escalation.record_step")
        steps = [
            {"code": code, "occurrences": list(group)}
            for code, group in groupby(step_runs, key=lambda s: s.code)
        ]
        escalations = list(
            permissions.visible_escalations(user)
            .filter(chain_run=run)
            .select_related("step_run")
            .order_by("-raised_at", "-pk")
        )
        for escalation in escalations:
            escalation.chain_run = run  # already read
        return super().get_context_data(
            run=run,
            subject_link=subjects.subject_link(self.request.user, run),
            steps=steps,
            escalations=escalations,
            events=run.events.filter(permissions.events_seen(user)).select_related("actor")[:50],
            **kwargs,
        )


class StepRunView(StaffRequiredMixin, TemplateView):
    """One step occurrence: its rule and deadline, the current result, earlier records and the form."""

    template_name = "escalation/step_run.html"

    def get_step_run(self) -> StepRun:
        return get_object_or_404(
            permissions.visible_step_runs(self.request.user).select_related(
                "chain_run__chain", "chain_run__provider", "chain_run__service"
            ),
            pk=self.kwargs["pk"],
        )

    def _form(self, step_run, data=None):
        """The record form, its measures filled with what the system computes; a figure it cannot
        compute says why beside its field, so the person enters it knowingly, and one the records fix
        is shown read-only. Once the step is recorded, the record-again form: filled with the current
        record, asking why it is recorded again."""
        # The chain may narrow the choice to the services its case is about (C2: the update's).
        services_qs = step_facts.affected_services(
            step_run, step_run.chain_run.provider.services.order_by("name")
        )
        figures = computations.compute(step_run)
        initial = figures.values if data is None else None
        current = step_run.records.filter(is_current=True).first()
        return StepRecordForm(
            step_run,
            data,
            initial=initial,
            services=services_qs,
            figures=figures,
            again=current,
            before=step_facts.unrecorded_checked_against(step_run),
        )

    def get_context_data(self, **kwargs):
        step_run = kwargs.pop("step_run", None) or self.get_step_run()
        records = list(step_run.records.select_related("recorded_by", "affected_service"))
        current = next((r for r in records if r.is_current), None)
        # Each record's figures and words as the person sees them (`permissions.values_seen`).
        seen = permissions.values_seen(self.request.user, step_run.chain_run)
        for record in records:
            record.seen = seen.record(record, step_run.measures)
        escalations = permissions.visible_escalations(self.request.user).filter(step_run=step_run)
        breach = escalations.filter(kind="breach", parent=None).first()
        shown_escalations = list(escalations.select_related("service").order_by("-raised_at"))
        can_record = (
            self.request.user.has_perm("escalation.record_step", step_run) and step_run.chain_run.is_open
        )
        opens_later = step_run.opens_at is not None and step_run.opens_at > timezone.now()
        form = kwargs.pop("form", None) or (self._form(step_run) if can_record and not opens_later else None)
        return super().get_context_data(
            step=step_run,
            run=step_run.chain_run,
            subject_link=subjects.subject_link(self.request.user, step_run.chain_run),
            current=current,
            current_rows=current.seen.rows if current else [],
            not_shown=seen.note(step_run.measures, current.values) if current else "",
            earlier=[r for r in records if not r.is_current],
            breach=breach,
            escalations=shown_escalations,
            still_open_words=RECORDED_ESCALATIONS_OPEN if any(e.is_open for e in shown_escalations) else "",
            can_record=can_record,
            opens_later=opens_later,
            who_records="" if can_record else refusal(self.request.user, "escalation.record_step", step_run),
            form=form,
            shown_state=step_run.display_state(),
            which_check=occurrences.which_check(step_run),
            facts_shown=step_facts.facts_for(step_run),  # what the chain shows beside it (B2's baseline)
            # The checks this step is judged against that nobody has recorded yet (C5: C1, C3, C4).
            before=step_facts.unrecorded_checked_against(step_run),
            # Those recorded after this step's own record: it was judged without them.
            recorded_after=step_facts.recorded_after(step_run),
            # What of the subject it signs off changed after its record (C5: the update's lines).
            subject_changed=step_facts.subject_changed_since(step_run, step_run.recorded_at)
            if step_run.is_recorded
            else None,
            **kwargs,
        )

    def post(self, request, pk):
        step_run = self.get_step_run()
        require_perm(request.user, "escalation.record_step", step_run)
        form = self._form(step_run, request.POST)
        if form.is_valid():
            try:
                record = services.record_step(
                    step_run,
                    by=request.user,
                    values=form.values,
                    check_done=form.cleaned_data["check_done"],
                    notes=form.cleaned_data["notes"],
                    evidence_links=form.cleaned_data["evidence_links"],
                    affected_service=form.cleaned_data.get("affected_service"),
                    reasons=form.reasons,
                    # Asked on this page whenever the step is already recorded (blank on a first record).
                    correction_reason=form.cleaned_data.get("correction_reason", ""),
                    # Asked on this page whenever a check this step is judged against is not recorded
                    # or a figure is not final yet.
                    record_anyway=bool(form.cleaned_data.get(RECORD_ANYWAY)),
                )
            except AlreadyDone as done:  # sent twice: the first is the record, nothing more
                messages.info(request, done.message)
                return redirect(f"{step_run.get_absolute_url()}#result")
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if record.breached:
                    messages.warning(
                        request, f"{step_run.label} recorded: threshold breached, escalation raised."
                    )
                else:
                    messages.success(request, f"{step_run.label} recorded: within threshold.")
                # The fragment lands the person on the result; without one the browser would keep the
                # fragment of an error-summary link they followed, deep in the form.
                return redirect(f"{step_run.get_absolute_url()}#result")
        return self.render_to_response(self.get_context_data(step_run=step_run, form=form))


def _provider_choice(request, providers):
    """The provider a page is about: ?provider= among the person's, else their first."""
    providers = list(providers)
    wanted = request.GET.get("provider") or request.POST.get("provider")
    chosen = next((p for p in providers if str(p.pk) == wanted), providers[0] if providers else None)
    return chosen, providers


class ChainTemplateListView(StaffRequiredMixin, TemplateView):
    """The three chains and their fifteen steps with the values the person's provider runs them with."""

    template_name = "escalation/chains.html"

    def get_context_data(self, **kwargs):
        provider, providers = _provider_choice(self.request, visible_providers(self.request.user))
        tuned = {}
        if provider is not None:
            settings = ProviderStepSetting.objects.filter(provider=provider).select_related("step")
            tuned = {s.step_id: s for s in settings}
            # Who last changed each, and when: those accountable for the chains read it beside the reason
            # (one row per change ever made, a few dozen at most, newest first).
            changes = {}
            history = ProviderStepSetting.history.filter(provider_id=provider.pk)
            for row in history.select_related("history_user").order_by("-history_date", "-history_id"):
                changes.setdefault(row.step_id, row)
            for step_id, setting in tuned.items():
                change = changes.get(step_id)
                setting.changed_by = change.history_user if change else None
                setting.changed_at = change.history_date if change else None
        chains = list(ChainTemplate.objects.prefetch_related("steps"))
        for chain in chains:
            chain.rows = []
            for step in chain.steps.all():
                setting = tuned.get(step.pk)
                rule = setting.effective_rule if setting else step.threshold_rule
                window = setting.effective_window if setting else step.response_working_hours
                measures = setting.effective_measures if setting else step.measures
                chain.rows.append(
                    {
                        "step": step,
                        # Marked tuned only while it differs: one set back to the defaults is not.
                        "setting": setting if setting and differs_from_default(setting) else None,
                        "measures": measures,
                        "check_method": text_in_words(step.check_method, measures),
                        "threshold_text": describe_rule(rule, measures),
                        "window_words": describe_window(window),
                    }
                )
        can_tune = provider is not None and self.request.user.has_perm("escalation.tune_step", provider)
        return super().get_context_data(
            chains=chains, provider=provider, providers=providers, can_tune=can_tune, **kwargs
        )


class StepSettingEditView(StaffRequiredMixin, TemplateView):
    """A provider administrator tunes a step's threshold values and response window, with a reason."""

    template_name = "escalation/tune_step.html"
    provider_permission = "escalation.tune_step"

    def _load(self) -> None:
        """The step and the provider; only providers the person administers can be chosen."""
        self.step = get_object_or_404(StepTemplate.objects.select_related("chain"), code=self.kwargs["code"])
        self.provider, self.providers = _provider_choice(
            self.request, providers_where(self.request.user, "escalation.tune_step")
        )
        if self.provider is None:
            raise PermissionDenied

    def _setting(self):
        found = ProviderStepSetting.objects.filter(provider=self.provider, step=self.step).first()
        if found is not None:
            found.step = self.step  # already read: its defaults are compared without reading it again
        return found

    def _form(self, data=None):
        setting = self._setting()
        self.in_force = {
            "threshold_rule": setting.effective_rule if setting else self.step.threshold_rule,
            "response_working_hours": setting.effective_window
            if setting
            else self.step.response_working_hours,
            "measures": setting.effective_measures if setting else self.step.measures,
        }
        rule, window, measures = self.in_force.values()
        parameters = shared_parameters(measures, self.step.check_method)
        check = text_in_words(self.step.check_method, measures)
        return StepSettingForm(rule, measures, window, data, parameters=parameters, check=check)

    def _changes_nothing(self, tuned: dict) -> bool:
        """Whether the values given are those in force (a blank parameter being its default): saving
        them would record a change that changes nothing."""
        return (
            tuned["threshold_rule"] == self.in_force["threshold_rule"]
            and tuned["response_working_hours"] == self.in_force["response_working_hours"]
            and with_parameters(self.step.measures, tuned["measure_parameters"]) == self.in_force["measures"]
        )

    def get_context_data(self, **kwargs):
        if not hasattr(self, "step"):
            self._load()
        setting = self._setting()
        history = (
            recent_changes(setting, limit=None, words=partial(setting_changes, self.step)) if setting else []
        )
        tuned = setting is not None and differs_from_default(setting)
        return super().get_context_data(
            step=self.step,
            provider=self.provider,
            providers=self.providers,
            setting=setting,
            form=kwargs.pop("form", None) or self._form(),
            back_form=kwargs.pop("back_form", None)
            or (BackToDefaultForm(prefix="default") if tuned else None),
            history=history,
            **kwargs,
        )

    def post(self, request, code):
        self._load()
        if "back_to_default" in request.POST:
            return self._back_to_default(request)
        form = self._form(request.POST)
        if form.is_valid():
            tuned = {
                "threshold_rule": with_thresholds(self.in_force["threshold_rule"], form.threshold_values()),
                "response_working_hours": form.cleaned_data["response_working_hours"],
                "measure_parameters": form.parameter_values(),
            }
            try:
                if self._changes_nothing(tuned):
                    raise ValidationError(services.NOTHING_CHANGED)
                services.tune_step(
                    self.provider, self.step, by=request.user, reason=form.cleaned_data["reason"], **tuned
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field_for=form.field_for)
            else:
                return self._saved(request, "updated")
        return self.render_to_response(self.get_context_data(form=form))

    def _back_to_default(self, request):
        """Set the step back to the default values, every one of them, with the reason (history)."""
        back = BackToDefaultForm(request.POST, prefix="default")
        if back.is_valid():
            try:
                services.tune_step(
                    self.provider, self.step, by=request.user, reason=back.cleaned_data["reason"]
                )
            except ValidationError as exc:
                add_service_errors(back, exc)
            else:
                return self._saved(request, "set back to the default values")
        return self.render_to_response(self.get_context_data(back_form=back))

    def _saved(self, request, done: str):
        """Say what was saved, and show the page again."""
        messages.success(
            request, f"{self.step.code} {done} for {self.provider}. Open cases keep their values."
        )
        return redirect(f"{request.path}?provider={self.provider.pk}")
