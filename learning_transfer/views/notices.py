"""Notices (acknowledge, name an owner) and each matched service's exposure and implementation page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from providers.actions import AlreadyDone
from providers.forms import add_service_errors
from providers.mixins import FormOnlyMixin, StaffRequiredMixin
from providers.permissions import require_perm
from providers.templatetags.nhsuk import london, on_at
from providers.who_acts import split_yours

from .. import live_practice, permissions, services
from ..forms import (
    ExposureForm,
    LeadForm,
    LineCorrectionForm,
    LineForm,
    LineReopenForm,
    NoticeOwnerForm,
)
from ..models import ImplementationLine, LearningNotice, MatchedService
from ..services.changed_since_matching import changed_since_matching, median_changed
from ..services.common import closed_for_work
from ..services.exposure import EDIT, briefing_title, last_replacement, offers
from ..services.late_notices import acknowledged_words, mark_late
from ..services.lines import ALREADY_OPEN, COMPLETE, closed_for_correction
from ..services.match_history import match_history
from ..services.verification import again_when
from .common import act


class NoticeListView(StaffRequiredMixin, ListView):
    """Current notices for the person's services (a registered manager's inbox of learning): those
    the person acknowledges apart from those others acknowledge, naming who, and those acknowledged."""

    for_the_work = True

    template_name = "learning_transfer/notice_list.html"
    context_object_name = "notices"
    paginate_by = 50

    def get_queryset(self):
        return (
            permissions.visible_notices(self.request.user)
            .filter(superseded_at__isnull=True)
            .select_related(
                "matched_service__service", "matched_service__trigger", "owner", "acknowledged_by"
            )
            # Waiting notices first: PostgreSQL would put an empty time after every other.
            .order_by(F("acknowledged_at").asc(nulls_first=True), "-issued_at", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notices = context["notices"]
        # A service left out of the learning after its notice went out: the notice asks nothing now.
        left_out = [notice for notice in notices if not notice.matched_service.included]
        waiting = [n for n in notices if not n.acknowledged_at and n.matched_service.included]
        yours, others = split_yours(self.request.user, waiting, "learning_transfer.acknowledge_notice")
        acknowledged = [n for n in notices if n.acknowledged_at and n.matched_service.included]
        mark_late(notices, timezone.now())  # a notice past its window or due date says so
        return {
            **context,
            "yours": yours,
            "others": others,
            "acknowledged": acknowledged,
            "left_out": left_out,
        }


class NoticeAcknowledgeView(FormOnlyMixin, StaffRequiredMixin, View):
    """The owner (or the service's registered manager) confirms receipt."""

    form_page_name = "learning_transfer:notice_list"
    form_page_takes_pk = False

    def post(self, request, pk):
        notice = get_object_or_404(permissions.visible_notices(request.user), pk=pk)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("learning_transfer:notice_list")  # never redirect off the site
        return act(
            request,
            lambda: services.acknowledge_notice(notice, by=request.user),
            lambda: acknowledged_words(notice, timezone.now()),  # says how late, when it was
            back,
        )


class NoticeOwnerView(StaffRequiredMixin, FormView):
    """Name the owner and due date of a notice that lacks them."""

    template_name = "learning_transfer/notice_owner.html"
    form_class = NoticeOwnerForm

    def get_notice(self) -> LearningNotice:
        if not hasattr(self, "_notice"):
            self._notice = get_object_or_404(
                permissions.visible_notices(self.request.user).select_related(
                    "matched_service__service__region", "matched_service__trigger__provider"
                ),
                pk=self.kwargs["pk"],
            )
            require_perm(self.request.user, "learning_transfer.name_notice_owner", self._notice)
        return self._notice

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "service": self.get_notice().service}

    def get_initial(self):
        notice = self.get_notice()
        return {"owner": notice.owner_id, "due_at": notice.due_at and timezone.localtime(notice.due_at)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(notice=self.get_notice(), **kwargs)

    def form_valid(self, form):
        notice = self.get_notice()
        back = reverse("learning_transfer:trigger_detail", args=[notice.matched_service.trigger_id])
        try:
            services.name_owner(notice, by=self.request.user, **form.cleaned_data)
        except AlreadyDone as done:
            messages.info(self.request, done.message)
            return redirect(back)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Owner and due date set for {notice.service}.")
        return redirect(back)


class MatchMixin(StaffRequiredMixin):
    """Loads `self.match` from the matched services the person can see."""

    def get_match(self) -> MatchedService:
        if not hasattr(self, "_match"):
            notices = LearningNotice.objects.select_related("owner", "acknowledged_by").order_by("-round")
            self._match = get_object_or_404(
                permissions.visible_matches(self.request.user)
                .select_related(
                    "service__region", "trigger__provider", "lead__person", "implementation_confirmed_by"
                )
                .prefetch_related(Prefetch("notices", queryset=notices)),
                pk=self.kwargs["pk"],
            )
        return self._match

    def back(self) -> str:
        return reverse("learning_transfer:match_detail", args=[self.get_match().pk])


class MatchDetailView(MatchMixin, TemplateView):
    """Exposure and implementation at one matched service (A3, A4): lead, briefing, risk, lines."""

    template_name = "learning_transfer/match_detail.html"

    def get_context_data(self, **kwargs):
        match = self.get_match()
        user = self.request.user
        # Each line's service is read by who may complete it: with the line, not once a line.
        lines = list(match.lines.select_related("owner", "completed_by", "service").order_by("due_at", "pk"))
        offered = offers(user, match)  # can_edit, can_verify, before_verifying: what the actions accept
        open_for_work = closed_for_work(match) is None
        for line in lines:
            # "Mark done", and undoing it, only while the service is open for work (as the actions
            # refuse otherwise); correcting a line still to do is for those who may add one.
            line.can_complete = open_for_work and user.has_perm(COMPLETE, line)
            line.can_reopen = line.can_complete and line.completed_at is not None
            line.can_correct = offered["can_edit"] and line.completed_at is None
        withdrawn = match.verification_withdrawn_at and not match.implementation_confirmed_at
        lead = getattr(match, "lead", None)
        now = timezone.now()
        return super().get_context_data(
            # What the checks on the shifts show since go-live, said beside "verified".
            practice=live_practice.at([match.pk], now).get(match.pk),
            match=match,
            trigger=match.trigger,
            notices=list(match.notices.all()),
            lead=lead,
            replacement=last_replacement(lead),  # whom the lead replaced, when and why
            lines=lines,
            verify_again_when=again_when(match) if withdrawn else "",
            history=match_history(match),  # the notice, lead and lines too, newest first
            now=now,  # an open line due before now is overdue, as the dashboard says
            briefing_title=briefing_title(match),
            # The rate above is as matched: a note when its figures in the matching window changed since.
            figures_changed=changed_since_matching(match.trigger, [match]),
            median_changed=median_changed(match.trigger),
            can_manage=user.has_perm("learning_transfer.manage_trigger", match.trigger),
            # A service left out no longer opens its trigger: its page names the trigger without a link.
            can_open_trigger=permissions.visible_triggers(user).filter(pk=match.trigger_id).exists(),
            **offered,
            **kwargs,
        )


class MatchFormView(MatchMixin, FormView):
    """Base for the exposure forms: errors show on the form's own page, success goes back. A service
    left out of the learning, or of a closed trigger, has no form to fill in only to be refused: the
    person goes back to its page, told why (by the rule the actions apply)."""

    template_name = "learning_transfer/match_form.html"
    title = ""
    intro = ""
    success = ""
    permission = EDIT

    def get_title(self) -> str:
        """The page's heading (and the words of the link to it on the service's page)."""
        return self.title

    def get_success(self) -> str:
        """The message once saved."""
        return self.success

    def get(self, request, *args, **kwargs):
        return self.refused() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refused() or super().post(request, *args, **kwargs)

    def refused(self):
        """Refuse a person who may not keep the service's log; send one who may back to the service's
        page with the reason, when nothing there may change now."""
        require_perm(self.request.user, self.permission, self.permission_object())
        reason = closed_for_work(self.get_match())
        if reason is None:
            return None
        messages.error(self.request, reason)
        return redirect(self.back())

    def permission_object(self):
        """What `permission` is asked of: the matched service."""
        return self.get_match()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            match=self.get_match(), title=self.get_title(), intro=self.intro, **kwargs
        )

    def form_valid(self, form):
        try:
            self.perform(self.get_match(), form.cleaned_data)
        except AlreadyDone as done:
            messages.info(self.request, done.message)
            return redirect(self.back())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.get_success())
        return redirect(self.back())


class LeadConfirmView(MatchFormView):
    form_class = LeadForm
    title = "Confirm the implementation lead"
    success = "Implementation lead confirmed."

    def get_form_kwargs(self):
        lead = getattr(self.get_match(), "lead", None)
        current = lead.person if lead else None  # a lead to replace: the form asks why
        return {**super().get_form_kwargs(), "service": self.get_match().service, "current": current}

    def get_initial(self):
        # The current lead chosen, so changing nothing keeps them and the page says who leads now.
        lead = getattr(self.get_match(), "lead", None)
        return {"person": lead.person_id} if lead else {}

    def perform(self, match, data):
        services.confirm_lead(
            match, person=data["person"], by=self.request.user, reason=data.get("reason", "")
        )


class ExposureEditView(MatchFormView):
    """The mandatory briefing and the comparable risk remaining at the service (the seed's exposure
    log, A3), named for what it records."""

    form_class = ExposureForm
    intro = (
        "When the mandatory briefing on this learning was done here, whether the same risk is still "
        "found here, and how much the service expects it to fall (the exposure log, in the guidance's "
        "words)."
    )

    def get_title(self) -> str:
        return briefing_title(self.get_match())

    def get_success(self) -> str:
        return f"{briefing_title(self.get_match())} saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "match": self.get_match()}

    def get_initial(self):
        match = self.get_match()
        initial = {
            name: getattr(match, name) and timezone.localtime(getattr(match, name))
            for name in ("briefing_completed_at", "comparable_risk_open_since", "comparable_risk_resolved_at")
        }
        return {**initial, "expected_reduction_pct": match.expected_reduction_pct}

    def perform(self, match, data):
        services.update_exposure(match, by=self.request.user, **data)


class LineCreateView(MatchFormView):
    form_class = LineForm
    title = "Add an implementation line"
    success = "Implementation line added."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "match": self.get_match()}

    def perform(self, match, data):
        services.add_line(match, by=self.request.user, **data)


class LineCompleteView(FormOnlyMixin, StaffRequiredMixin, View):
    """Mark a line done in one tap; the message then offers to undo it (reopen the line, with a reason)."""

    form_page_name = "learning_transfer:notice_list"
    form_page_takes_pk = False

    def form_page(self) -> str:
        """The service's page the line's button is on, for a line the person sees; else the notices
        (found: a reloaded "mark done" address linked to the notices, not to the line)."""
        line = permissions.visible_lines(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if line is None or line.matched_service_id is None:
            return super().form_page()
        return reverse("learning_transfer:match_detail", args=[line.matched_service_id])

    def post(self, request, pk):
        line = get_object_or_404(
            permissions.visible_lines(request.user).select_related("matched_service__trigger", "service"),
            pk=pk,
        )
        back = reverse("learning_transfer:match_detail", args=[line.matched_service_id])
        return act(
            request, lambda: services.complete_line(line, by=request.user), completed_words(line), back
        )


def completed_words(line) -> str:
    """ "Line completed.", with the link to reopen it where it may be reopened (its service still open
    for work), so a tap by mistake is undone from the message."""
    if line.matched_service is None or closed_for_work(line.matched_service):
        return "Line completed."
    url = reverse("learning_transfer:line_reopen", args=[line.pk])
    return format_html('Line completed. Undo: <a href="{}">reopen it</a>', url)


class LineMixin(MatchMixin):
    """Loads `self.line` (of a matched service) from the lines the person can see; its matched
    service is the page's match."""

    def get_line(self) -> ImplementationLine:
        if not hasattr(self, "_line"):
            self._line = get_object_or_404(
                permissions.visible_lines(self.request.user)
                .filter(matched_service__isnull=False)
                .select_related(
                    "owner",
                    "completed_by",
                    "service",
                    "matched_service__service__region",
                    "matched_service__trigger__provider",
                    "matched_service__implementation_confirmed_by",
                ),
                pk=self.kwargs["pk"],
            )
        return self._line

    def get_match(self) -> MatchedService:
        return self.get_line().matched_service


class LineReopenView(LineMixin, MatchFormView):
    """Reopen a line marked done by mistake, with a reason: the people who may mark it done."""

    form_class = LineReopenForm
    title = "Reopen an implementation line"
    success = "Line reopened: it is to do again."
    permission = COMPLETE

    def permission_object(self):
        return self.get_line()

    def refused(self):
        refusal = super().refused()
        if refusal is None and self.get_line().completed_at is None:
            messages.info(self.request, ALREADY_OPEN)  # a second submit, or an old link
            return redirect(self.back())
        return refusal

    def get_context_data(self, **kwargs):
        line = self.get_line()
        done = f"marked done {london(line.completed_at)} by {line.completed_by or 'someone no longer here'}"
        intro = f"“{line.task}”, owned by {line.owner or 'nobody'}, due {london(line.due_at)}: {done}."
        return {**super().get_context_data(**kwargs), "intro": intro, "warning": self.withdraws()}

    def withdraws(self) -> str:
        """The warning that reopening withdraws the service's verification, which rests on every line
        being done ("" when the service is not verified)."""
        match = self.get_match()
        if match.implementation_confirmed_at is None:
            return ""
        by = match.implementation_confirmed_by or "someone no longer here"
        return (
            f"Reopening this line withdraws the verification of implementation at {match.service} "
            f"by {by} {on_at(match.implementation_confirmed_at)}."
        )

    def perform(self, match, data):
        verified = match.implementation_confirmed_at is not None
        services.reopen_line(
            self.get_line(), by=self.request.user, reason=data.get("reason", ""), due_at=data.get("due_at")
        )
        self.withdrawn = verified and not (
            MatchedService.objects.filter(pk=match.pk, implementation_confirmed_at__isnull=False).exists()
        )

    def get_success(self) -> str:
        if getattr(self, "withdrawn", False):
            return (
                f"Line reopened: it is to do again. The verification of implementation at "
                f"{self.get_match().service} is withdrawn: verify again once every line is done."
            )
        return self.success


class LineCorrectView(LineMixin, MatchFormView):
    """Correct a line still to do (task, owner, due date), with a reason: the people who add lines."""

    form_class = LineCorrectionForm
    title = "Change an implementation line"
    intro = "Correct the task, its owner or when it is due. The line as it was stays in the history."
    success = "Line corrected."

    def refused(self):
        refusal = super().refused()
        if refusal is None and closed_for_correction(self.get_line()):
            messages.error(self.request, closed_for_correction(self.get_line()))
            return redirect(self.back())
        return refusal

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "match": self.get_match()}

    def get_initial(self):
        line = self.get_line()
        return {"task": line.task, "owner": line.owner_id, "due_at": timezone.localtime(line.due_at)}

    def perform(self, match, data):
        services.correct_line(self.get_line(), by=self.request.user, **data)


class ImplementationConfirmView(FormOnlyMixin, MatchMixin, View):
    form_page_name = "learning_transfer:match_detail"

    def post(self, request, pk):
        match = self.get_match()
        return act(
            request,
            lambda: services.confirm_implementation(match, by=request.user),
            f"Implementation verified at {match.service}.",
            self.back(),
        )
