"""My escalations: the inbox, and acknowledging several of its escalations at once.

Like every escalation page, each view needs a signed-in member of provider staff, reads only the
escalations the person may see (escalation.permissions) and leaves the rules to services.py.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView, View

from providers import dashboards
from providers.mixins import FormOnlyMixin, StaffRequiredMixin
from providers.permissions import visible_services

from . import occurrences, panels, permissions, services, telling
from .choices import EscalationState
from .filters import InboxFilterForm

# The most escalations one press acknowledges: a page of the inbox holds 25.
TICKED_AT_MOST = 100
# What of the inbox's address comes back after acknowledging: its filters and which list.
KEPT = ("what", "region", "service", "show")


class InboxView(StaffRequiredMixin, TemplateView):
    """My escalations: what the person was told about and may act on, apart from the open escalations
    others act on at their services (naming who), and, on request, the resolved ones (?show=all) or
    every open escalation at their services, a page at a time (?show=services)."""

    template_name = "escalation/inbox.html"
    page_size = 25
    others_size = 10

    def get_context_data(self, **kwargs):
        self.filter_form = InboxFilterForm(
            self.request.GET or None, services=visible_services(self.request.user).order_by("name")
        )
        kwargs.update(filter_form=self.filter_form, filter_words=self.filter_form.words())
        if self.request.GET.get("show") == "services":
            return self.at_services(**kwargs)
        show_all = self.request.GET.get("show") == "all"
        user = self.request.user
        # Only escalations the person may still open: being told never outlives the role.
        rows = panels.told(user) if show_all else panels.told_still_open(user)
        rows = rows.filter(self.filter_form.narrowing("escalation__"))
        page = Paginator(rows, self.page_size).get_page(self.request.GET.get("page"))
        # Escalations raised to others at the person's services, and the breaches withdrawn since the
        # person was told of them (until they open them), on the first page only.
        others, others_total, withdrawn = [], 0, []
        if page.number == 1:
            narrowed = bool(self.filter_form.chosen)
            withdrawn = [] if narrowed else telling.withdrawn_unread(user)
            others, others_total = dashboards.first_rows_and_total(
                lambda: panels.raised_to_others(user).filter(self.filter_form.narrowing()),
                self.others_size,
                # The unfiltered list's SQL is kept for the person's roles; a filtered one is built anew.
                kept_for=() if narrowed else (user, "escalations raised to others"),
            )
        worklist = panels.escalation_worklist(user, page.object_list, others)
        return super().get_context_data(
            page=page,
            show_all=show_all,
            # "Yours to do" offers to acknowledge several at once when one is still to acknowledge.
            to_acknowledge=any(e.state == EscalationState.RAISED for e in worklist.get("yours", [])),
            others_total=others_total,
            others_listed=len(others),  # before the split, which gives the person those they may act on
            withdrawn=withdrawn,
            **worklist,
            **kwargs,
        )

    def at_services(self, **kwargs):
        """Every open escalation at the person's services they were not told about, newest first:
        those the person may act on (the Nominated Individual on any) apart from the rest."""
        rows = panels.raised_to_others(self.request.user).filter(self.filter_form.narrowing())
        page = Paginator(rows, self.page_size).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page,
            at_services=True,
            **panels.escalation_worklist(self.request.user, [], page.object_list),
            **kwargs,
        )


class AcknowledgeTickedView(FormOnlyMixin, StaffRequiredMixin, View):
    """Acknowledge the escalations ticked in "Yours to do" at once (found: a night's reminders came
    to the top roles one by one, each acknowledged on its own page). Each is acknowledged as its own
    page would, by the same rule: one the person may not act on, or acknowledged meanwhile, is named
    and left as it is."""

    form_page_name = "escalation:inbox"
    form_page_takes_pk = False

    def post(self, request):
        ticked = [pk for pk in request.POST.getlist("escalation")[:TICKED_AT_MOST] if pk.isdigit()]
        if not ticked:
            messages.error(request, "Tick the escalations to acknowledge.")
            return redirect(self.back_to_the_list())
        rows = (
            permissions.visible_escalations(request.user)
            .filter(pk__in=ticked)
            .select_related("provider", "service", "chain_run", "step_run")
        )
        done, left = 0, []
        for escalation in rows.order_by("pk"):
            try:
                services.acknowledge(escalation, by=request.user)
                done += 1
            except (PermissionDenied, ValidationError):
                left.append(escalation)
        if done:
            messages.success(request, f"{done} escalation{'s' if done != 1 else ''} acknowledged.")
        if left:
            # A check done every shift or day says which (found: two "Close the late shift's open tasks
            # (B4)" alike), in a fixed number of queries however many are left.
            which = occurrences.which_checks([e.step_run for e in left])
            names = "; ".join(
                ", ".join([e.step_run.label, *([which[e.step_run_id]] if e.step_run_id in which else [])])
                + f" ({e.kind_words})"
                for e in left
            )
            messages.info(
                request, f"Left as they were (acknowledged already, or not yours to act on): {names}."
            )
        return redirect(self.back_to_the_list())

    def back_to_the_list(self) -> str:
        """The inbox as the person had it filtered (found: back to the whole list). Only a query string
        is followed, so the form can send nobody elsewhere."""
        back = QueryDict(self.request.POST.get("back", ""))
        kept = [(key, value) for key, values in back.lists() if key in KEPT for value in values]
        query = urlencode(kept)
        return f"{reverse('escalation:inbox')}?{query}" if query else reverse("escalation:inbox")
