"""The learning-transfer register: list, log, detail (A1 decision, notices, exposure), learning, matching."""

from abc import ABCMeta, abstractmethod

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from config.downloads import csv_download
from escalation.computations import compute
from escalation.subjects import case_steps, current_record
from providers.actions import AlreadyDone
from providers.forms import add_service_errors
from providers.history import recent_changes
from providers.mixins import FormOnlyMixin, StaffRequiredMixin
from providers.permissions import providers_where, require_perm, visible_services
from providers.who_acts import split_yours

from .. import chain, exports, live_practice, permissions, services
from ..choices import THEME_RISK_TAGS
from ..filters import TriggerFilterSet
from ..forms import CloseWithoutLearningForm, LearningForm, MatchAdjustForm, TriggerForm
from ..models import LearningNotice, MatchedService
from ..services import measures, rounds
from ..services.changed_since_matching import changed_since_matching, median_changed
from ..services.corrections import source_corrections
from ..services.late_start import LOG_LATE, StartsOverdue
from ..services.match_history import matched_set_changes
from ..services.notices import needs_redistribution, out_of_hours_words
from ..services.triggers import LOG_AGAIN
from ..services.verification import in_words
from .common import TriggerMixin, act


class TriggerListView(StaffRequiredMixin, ListView):
    """The register: every trigger the person can see, filtered, in a fixed number of queries."""

    for_the_work = True

    template_name = "learning_transfer/trigger_list.html"
    context_object_name = "triggers"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        self.filterset = TriggerFilterSet(
            self.request.GET or None,
            queryset=permissions.visible_triggers(user),
            # The filter's select names each service: its other fields are not read (500 at a large provider).
            services=visible_services(user).only("name").order_by("name"),
        )
        # Counted per row by correlated subqueries, which PostgreSQL works out for the page's 50 rows
        # after sorting and limiting; a join with GROUP BY would count every trigger's matches and
        # notices first (half a second at 5,000 triggers).
        included = MatchedService.objects.filter(trigger=OuterRef("pk"), included=True)
        acknowledged = LearningNotice.objects.filter(
            matched_service__trigger=OuterRef("pk"),
            matched_service__included=True,
            superseded_at__isnull=True,
            acknowledged_at__isnull=False,
        )
        return (
            self.filterset.qs.select_related("source_service")
            .annotate(included_count=_count_of(included), acknowledged_count=_count_of(acknowledged))
            .order_by("-confirmed_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        can_log = bool(providers_where(self.request.user, "learning_transfer.log_trigger"))
        return super().get_context_data(filter_form=self.filterset.form, can_log=can_log, **kwargs)


def _count_of(rows: QuerySet) -> Subquery:
    """The number of `rows` (a queryset naming OuterRef), as a subquery giving 0 for none."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


class TriggerCreateView(StaffRequiredMixin, FormView):
    """Log a serious failure, from scratch or from an incident flagged for review."""

    provider_permission = "learning_transfer.log_trigger"
    template_name = "learning_transfer/trigger_form.html"
    form_class = TriggerForm

    def incident(self):
        pk = self.request.GET.get("incident") or self.request.POST.get("source_incident")
        if not pk or not str(pk).isdigit():
            return None
        return (
            permissions.visible_incidents(self.request.user).select_related("service").filter(pk=pk).first()
        )

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "services": visible_services(user, roles=permissions.TRIGGER_MANAGERS).order_by("name"),
            "incidents": permissions.visible_incidents(user),
        }

    def get_initial(self):
        incident = self.incident()
        if incident is None:
            return {"confirmed_at": timezone.localtime().replace(second=0, microsecond=0)}
        return {
            "source_incident": incident.pk,
            "source_service": incident.service_id,
            "theme": incident.theme,
            "risk_tags": THEME_RISK_TAGS.get(incident.theme, []),
            "title": f"{incident.get_theme_display()} at {incident.service}",
            "what_happened": incident.description,
            "confirmed_at": timezone.localtime().replace(second=0, microsecond=0),
        }

    def get_context_data(self, **kwargs):
        incident = self.incident()
        logged_as = list(incident.learning_triggers.order_by("pk")) if incident is not None else []
        return super().get_context_data(incident=incident, logged_as=logged_as, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            trigger = services.log_trigger(
                by=self.request.user,
                source_service=data["source_service"],
                source_incident=data["source_incident"],
                title=data["title"],
                theme=data["theme"],
                risk_tags=data["risk_tags"],
                match_same_service_type=data["match_same_service_type"],
                what_happened=data["what_happened"],
                confirmed_at=data["confirmed_at"],
                root_cause_factors=data["root_cause_factors"],
                root_cause_summary=data["root_cause_summary"],
                local_fix=data["local_fix"],
                learning_statement=data["learning_statement"],
                log_late=data.get(LOG_LATE, False),
                log_again=data.get(LOG_AGAIN, False),
            )
        except AlreadyDone as done:
            messages.info(self.request, done.message)
            return redirect("learning_transfer:trigger_detail", pk=done.existing.pk)
        except StartsOverdue as late:
            # Nothing saved: the form comes back as typed, naming the late steps, with the checkbox.
            form.ask_to_log_late()
            add_service_errors(form, late)
            return self.render_to_response(self.get_context_data(form=form, late_steps=late.steps))
        except ValidationError as error:
            if LOG_AGAIN in getattr(error, "error_dict", {}):
                form.ask_to_log_again()
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{trigger.reference} logged. The matched services are below.")
        return redirect("learning_transfer:trigger_detail", pk=trigger.pk)


def _chain_context(run, step_runs: list, user) -> dict:
    """The chain A case: its steps for the timeline, each the person's own to record or naming who
    records it, and links to the engine's pages only for a person who may open the case."""
    if run is None:
        return {"chain_run": None, "step_runs": [], "chain_run_url": None, "can_open_case": False}
    can_open_case = user.has_perm("escalation.view_chain_run", run)
    try:
        url = run.get_absolute_url() if can_open_case else None
    except NoReverseMatch:
        url = None
    split_yours(user, step_runs, "escalation.record_step")
    return {"chain_run": run, "step_runs": step_runs, "chain_run_url": url, "can_open_case": can_open_case}


# A trigger's tables of matched services (rates, notices, exposure) show this many services a page, by
# name; every figure above them counts all of its services. A learning matched to a large provider's
# 500 services stays one page a person can read (and the browser can draw) at a time.
SERVICES_PER_PAGE = 50


class TriggerDetailView(TriggerMixin, TemplateView):
    """One trigger: matched services with rates and the A1 decision, notices, exposure, chain, history.

    The case and its step runs are read once and handed to everything that needs them (the windows
    the figures are counted over, A1's rule, the timeline)."""

    template_name = "learning_transfer/trigger_detail.html"

    def get_context_data(self, **kwargs):
        trigger = self.get_trigger()
        user = self.request.user
        now = timezone.now()
        run = chain.run_for(trigger)
        step_runs = case_steps(run) if run else []
        windows = chain.parameters(trigger.provider, trigger, step_runs)
        whole = measures.picture(trigger, now, windows["receipt_window_hours"])
        pic, seen = picture_seen(user, whole)
        a1_step = chain.latest_step(step_runs, "A1")
        services_page = Paginator(pic.included, SERVICES_PER_PAGE).get_page(self.request.GET.get("page"))
        _judge_rounds(services_page, windows["receipt_window_hours"], now)
        timeline = timeline_steps(step_runs, pic, seen)
        return super().get_context_data(
            trigger=trigger,
            pic=pic,
            services_page=services_page,
            matches_to_open=permissions.matches_to_open(user, services_page),
            # Beside each verified service, what the checks on its shifts show since go-live.
            practice=live_practice.at([row.match.pk for row in services_page], now),
            # The learning's own decision and counts, which name no service: from every matched service.
            decision=measures.a1_decision(whole, a1_step),
            # Once issued, the decision the learning went out on, and what changed in its services since.
            decision_at_issue=measures.a1_decision(measures.as_issued(whole), a1_step)
            if trigger.notices_issued_at
            else None,
            changed_since_issue=measures.changed_since_issue(pic),
            seen_reach=seen.reach,
            not_shown=len(whole.included) - len(pic.included),
            # Staff of a service the learning did not go to (the failure's own) see none of those it did.
            sees_no_matched_service=seen.reach != permissions.SEES_EVERY_SERVICE
            and not pic.included
            and bool(whole.included),
            open_actions=measures.open_actions_due(pic),
            a1_step=a1_step,
            a1_record=current_record(a1_step) if a1_step else None,
            a4_step=chain.latest_step(step_runs, "A4"),  # its rule as the case runs it (any region's)
            distribution=measures.distribution(pic, windows["sample_size"], windows["due_within_hours"]),
            # Issuing out of working hours starts every manager's receipt window before they are in.
            out_of_hours=""
            if trigger.notices_issued_at
            else out_of_hours_words(trigger, windows["receipt_window_hours"], now),
            exposure=measures.exposure(pic, windows["risk_age_hours"]),
            task_window_hours=windows["task_window_hours"],
            local_tasks_due=measures.local_tasks_due(pic, windows["task_window_hours"]),
            alignment_by_region=measures.alignment_by_region(pic),
            high_risk_lacking=measures.high_risk_lacking_action(pic),
            can_manage=user.has_perm("learning_transfer.manage_trigger", trigger),
            # Closing is offered only when it would be accepted; otherwise the page says who is waiting.
            unverified_services=sorted(
                row.match.service.name
                for row in pic.included
                if row.match.implementation_confirmed_at is None
            ),
            can_distribute=user.has_perm("learning_transfer.distribute_notices", trigger),
            to_redistribute=_to_redistribute(pic, windows["receipt_window_hours"], now),
            round_words=_round_words(pic, windows["receipt_window_hours"]),
            look_wider=measures.look_wider(whole, step_runs),
            # The trigger's own changes, and the services added or left out by hand among them.
            history=sorted(
                recent_changes(trigger, 30)
                + matched_set_changes(trigger, {row.match.service_id for row in pic.included + pic.left_out}),
                key=lambda change: change.history_date,
                reverse=True,
            )[:30],
            source_corrections=source_corrections(trigger),
            # Of the services the person sees, those whose figures moved since matching.
            figures_changed=changed_since_matching(
                trigger, [row.match for row in pic.included + pic.left_out]
            ),
            median_changed=median_changed(trigger),
            **_chain_context(run, timeline, user),
            other_regions_checks=len(step_runs) - len(timeline),
            **kwargs,
        )


def picture_seen(user, whole: measures.TriggerPicture):
    """The trigger's picture as the person may see it, and what they see (`matched_services_seen`):
    every matched service for a provider-level role, otherwise only the services their role reaches,
    every table and figure of the page (and the CSV) then counting those alone."""
    seen = permissions.matched_services_seen(user, whole.trigger, whole.included + whole.left_out)
    if seen.reach == permissions.SEES_EVERY_SERVICE:
        return whole, seen
    return measures.narrowed(whole, seen.shows), seen


def timeline_steps(step_runs: list, pic: measures.TriggerPicture, seen) -> list:
    """The case's steps for the person's timeline: a check run once per region (A4) names that region's
    lateness and its holder, so it shows only for a region of the services the person sees."""
    if seen.reach == permissions.SEES_EVERY_SERVICE:
        return step_runs
    regions = {row.match.service.region_id for row in pic.included + pic.left_out}
    return [step for step in step_runs if step.region_id is None or step.region_id in regions]


def _judge_rounds(rows, window_hours: int, now) -> None:
    """Mark how each row's current notice fared against the receipt window of its own round
    (`rounds.receipt_of`: in time, late, missed, or still waiting; None without a notice)."""
    for row in rows:
        notice = row.current
        row.round_receipt = rounds.receipt_of(notice, window_hours, now) if notice else None


def _round_words(pic, window_hours: int) -> list[str]:
    """Each round of the trigger's notices in a sentence, first round first (the page lists them once
    the learning was reissued)."""
    return [found.words(window_hours) for found in rounds.rounds(pic.included, window_hours, pic.now)]


def _to_redistribute(pic, window_hours: int, now) -> int:
    """How many included services redistribution would reach now (as `redistribute` decides): the
    page advises it, and offers the button, only when there is one."""
    return sum(
        1
        for row in pic.included
        if needs_redistribution(row.current, row.match.receipt_deadline(window_hours), now)
    )


class TriggerServicesCsvView(TriggerMixin, View):
    """Every matched service of a trigger the person sees in full on its page (`picture_seen`), with
    the figures of the page, as a CSV file (the page shows them 50 at a time)."""

    def get(self, request, pk):
        trigger = self.get_trigger()
        windows = chain.parameters(trigger.provider, trigger)
        whole = measures.picture(trigger, timezone.now(), windows["receipt_window_hours"])
        pic, _ = picture_seen(request.user, whole)
        return csv_download(exports.matched_services_csv(pic), f"{trigger.reference}-matched-services.csv")


class TriggerLearningView(TriggerMixin, FormView):
    """Record root causes and the learning statement, separating the fix from the learning."""

    template_name = "learning_transfer/trigger_learning.html"
    form_class = LearningForm

    def get_form_kwargs(self):
        require_perm(self.request.user, "learning_transfer.manage_trigger", self.get_trigger())
        return {**super().get_form_kwargs(), "instance": self.get_trigger()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(trigger=self.get_trigger(), **kwargs)

    def form_valid(self, form):
        trigger = self.get_trigger()
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.record_learning(trigger, by=self.request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The learning is recorded.")
        return redirect("learning_transfer:trigger_detail", pk=trigger.pk)


class MatchAdjustView(TriggerMixin, FormView):
    """Add or leave out a matched service with a reason, on a page of its own: the trigger's page links
    here rather than listing every service of the provider each time it is opened."""

    template_name = "learning_transfer/match_adjust.html"
    form_class = MatchAdjustForm

    def get_form_kwargs(self):
        require_perm(self.request.user, "learning_transfer.manage_trigger", self.get_trigger())
        return {**super().get_form_kwargs(), "trigger": self.get_trigger()}

    def get_context_data(self, **kwargs):
        trigger = self.get_trigger()
        # The updates not yet released whose lines this learning evidences: leaving a service out can
        # change what they may claim.
        resting = trigger.reporting_updates.filter(released_at__isnull=True).order_by("pk")
        return super().get_context_data(trigger=trigger, updates_resting=list(resting), **kwargs)

    def form_valid(self, form):
        trigger = self.get_trigger()
        data = form.cleaned_data
        try:
            match = services.adjust_match(
                trigger, data["service"], data["include"], data["reason"], by=self.request.user
            )
        except AlreadyDone as done:  # a repeat: say so beside the matched services, nothing changed
            messages.info(self.request, done.message)
            return redirect(
                reverse("learning_transfer:trigger_detail", args=[trigger.pk]) + "#matched-services"
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        verb = "added to" if match.included else "left out of"
        messages.success(self.request, f"{match.service} {verb} the matched services.")
        return redirect(reverse("learning_transfer:trigger_detail", args=[trigger.pk]) + "#matched-services")


class CloseWithoutLearningView(TriggerMixin, FormView):
    """Close a trigger whose A1 found no mandatory learning needed, with the reason on the record."""

    template_name = "learning_transfer/trigger_close_no_learning.html"
    form_class = CloseWithoutLearningForm

    def get_form_kwargs(self):
        require_perm(self.request.user, "learning_transfer.manage_trigger", self.get_trigger())
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        trigger = self.get_trigger()
        a1 = chain.step_run(trigger, "A1")
        return super().get_context_data(
            trigger=trigger, a1_record=current_record(a1) if a1 else None, **kwargs
        )

    def form_valid(self, form):
        trigger = self.get_trigger()
        try:
            services.close_without_learning(trigger, by=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, "Trigger closed: no mandatory learning needed. Its later steps are closed."
        )
        return redirect("learning_transfer:trigger_detail", pk=trigger.pk)


class TriggerActionView(FormOnlyMixin, TriggerMixin, View, metaclass=ABCMeta):
    """Base for the one-button actions on a trigger (POST only)."""

    form_page_name = "learning_transfer:trigger_detail"

    success = ""
    anchor = ""

    @abstractmethod
    def perform(self, trigger):
        """Carry out the action through the app's services; a ValidationError becomes a message."""

    def post(self, request, pk):
        trigger = self.get_trigger()
        back = reverse("learning_transfer:trigger_detail", args=[trigger.pk]) + self.anchor
        return act(request, lambda: self.perform(trigger), lambda: self.success, back)


def owners_to_name(notices) -> str:
    """What the person who issued `notices` must do next for those left without an owner (a service
    whose registered manager on record no longer holds the role): name them; "" when none."""
    names = [str(notice.matched_service.service) for notice in notices if notice.owner_id is None]
    if not names:
        return ""
    if len(names) == 1:
        return f" {names[0]} has no registered manager in post to own its notice: name its owner."
    return f" {in_words(names)} have no registered manager in post to own their notices: name their owners."


class IssueNoticesView(TriggerActionView):
    success = "Learning notices issued to every included matched service."
    anchor = "#notices"

    def perform(self, trigger):
        issued = services.issue_notices(trigger, by=self.request.user)
        self.success += owners_to_name(issued)


class RedistributeView(TriggerActionView):
    success = "Learning notices reissued to the services that had not received them."
    anchor = "#notices"

    def perform(self, trigger):
        reissued = services.redistribute(trigger, by=self.request.user)
        self.success += owners_to_name(reissued)


class RematchView(TriggerActionView):
    success = "Matching run again with today's data; your own additions and exclusions are kept."
    anchor = "#matched-services"

    def perform(self, trigger):
        services.match_services(trigger, by=self.request.user)


class CloseTriggerView(TriggerActionView):
    success = "Trigger closed."

    def perform(self, trigger):
        services.close_trigger(trigger, by=self.request.user)


# What the quality director confirms by recording A1 from the trigger page, in plain words on its record.
A1_CHECK_DONE = (
    "Matched services and their incident rates against the provider median, and their open action "
    "lines, worked out from the records, checked on the trigger page."
)


class RecordA1View(TriggerActionView):
    """The quality director confirms A1 with the figures the system computed, in one click."""

    success = "Comparable services found (A1) recorded with the computed figures."
    anchor = "#a1"

    def perform(self, trigger):
        step = chain.step_run(trigger, "A1")
        try:
            values = compute(step).values if step else {}
            record = chain.record(
                trigger, "A1", by=self.request.user, values=values, check_done=A1_CHECK_DONE
            )
        except ObjectDoesNotExist as error:
            raise ValidationError(str(error)) from error
        if record.breached:
            self.success = (
                "Comparable services found (A1) recorded: mandatory learning needed, "
                "escalated to the Operations Director."
            )
