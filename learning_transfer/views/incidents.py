"""Incident data: file import with progress, the template download, the incident list, manual entry,
correction, review candidates and the review outcome of a flagged incident."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from config.downloads import csv_download
from providers.actions import AlreadyDone
from providers.fields import RecordChoiceField
from providers.forms import add_service_errors
from providers.mixins import FormOnlyMixin, StaffRequiredMixin
from providers.models import Provider
from providers.permissions import Refused, providers_where, require_perm, visible_services

from .. import import_columns, permissions, services
from ..choices import CandidateStatus, ImportKind, ImportStatus, ReviewOutcome
from ..filters import IncidentFilterForm, ReviewFilterForm
from ..forms import ImportForm, IncidentCorrectionForm, IncidentForm, IncidentReviewForm
from ..models import ImportJob, Incident
from ..services.corrections import RECORD, corrections
from ..services.data import incidents_on_record, london_start
from ..services.import_changes import replaced_care_hours
from ..services.review import flag_reasons, record_review, review_candidates

REVIEW_PAGE_SIZE = 50  # incidents per page of the review list
LAST_PAGE_ASKED = 100_000  # a larger number in the address is read as this (then as the last page)


def _page_number(asked) -> int:
    """The page asked for in the address, or the first page when it is not a page number."""
    try:
        return min(max(1, int(asked)), LAST_PAGE_ASKED)
    except (TypeError, ValueError):
        return 1


def _import_providers(user):
    ids = [provider.pk for provider in providers_where(user, "learning_transfer.import_data")]
    return Provider.objects.filter(pk__in=ids).order_by("name")


class IncidentImportView(StaffRequiredMixin, FormView):
    """Upload an incident or care-hours file; the documented columns and templates are on the page."""

    provider_permission = "learning_transfer.import_data"
    template_name = "learning_transfer/import_form.html"
    form_class = ImportForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        providers = _import_providers(self.request.user)
        if providers.count() > 1:  # most people work for one provider: only then ask which
            form.fields["provider"] = RecordChoiceField(queryset=providers)
        return form

    def get_initial(self):
        return {"kind": ImportKind.INCIDENTS}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            column_sets=[(kind, label, import_columns.COLUMNS[kind]) for kind, label in ImportKind.choices],
            recent_jobs=ImportJob.objects.filter(provider__in=_import_providers(self.request.user))
            .select_related("created_by")
            .order_by("-created_at")[:10],
            **kwargs,
        )

    def form_valid(self, form):
        provider = form.cleaned_data.get("provider") or _import_providers(self.request.user).first()
        if provider is None:
            raise Http404
        try:
            job = services.start_import(
                form.cleaned_data["file"],
                provider=provider,
                kind=form.cleaned_data["kind"],
                by=self.request.user,
            )
        except ValidationError as error:  # too large, or a workbook that unpacks to too much
            add_service_errors(form, error)
            return self.form_invalid(form)
        # No "Done" banner: a small file is already checked when its page opens, perhaps refused. The
        # page's own status says what became of it ("received — checking" while it runs).
        return redirect("learning_transfer:import_detail", pk=job.pk)


class ImportJobMixin(StaffRequiredMixin):
    provider_permission = "learning_transfer.import_data"
    context_object_name = "job"

    def get_queryset(self):
        return ImportJob.objects.filter(provider__in=_import_providers(self.request.user)).select_related(
            "created_by", "provider"
        )


class ImportJobPageMixin(ImportJobMixin):
    """What the page and its polled panel share: the job, and the links onward once it is done."""

    def get_context_data(self, **kwargs):
        """Links onward from a finished import, each only to a page the person may open."""
        user, provider = self.request.user, self.object.provider
        return super().get_context_data(
            can_review=user.has_perm("learning_transfer.read_review_candidates", provider),
            can_read_summary=user.has_perm("learning_transfer.read_summary", provider),
            replaced=replaced_care_hours(self.object),
            **kwargs,
        )


# These pages only read. Outside a transaction they never queue behind the import they show: on SQLite
# every transaction takes the write lock as it starts, and the import holds it while it saves.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ImportJobDetailView(ImportJobPageMixin, DetailView):
    """What became of an upload: progress while it runs, then counts or every row's error."""

    template_name = "learning_transfer/import_detail.html"


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ImportJobProgressView(ImportJobPageMixin, DetailView):
    """The progress panel alone, polled by htmx every two seconds while the job runs; once the job is
    done it brings the finished page's links too, so the page needs no reload."""

    template_name = "learning_transfer/includes/import_progress.html"


class ImportJobRetryView(FormOnlyMixin, ImportJobMixin, SingleObjectMixin, View):
    """Try a failed import again (the rule and its permission live in services.retry_import)."""

    form_page_name = "learning_transfer:import_detail"

    def post(self, request, pk):
        job = self.get_object()
        if services.retry_import(job, by=request.user):
            messages.success(request, "The import will start again shortly.")
        else:
            messages.info(request, "This import had not failed: nothing changed.")
        return redirect("learning_transfer:import_detail", pk=job.pk)


class ImportTemplateView(StaffRequiredMixin, View):
    """Download an empty example file (CSV or Excel) with every documented column."""

    def get(self, request, kind, extension):
        if kind not in ImportKind.values or extension not in ("csv", "xlsx"):
            raise Http404
        # The example row names no real service: the import refuses it (import_columns.example_rows).
        filename = f"{kind}_template.{extension}"
        if extension == "csv":
            return csv_download(import_columns.template_csv(kind), filename)
        response = HttpResponse(
            import_columns.template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class Counted:
    """Rows for a Paginator whose number is already known: it counts nothing, and each page is a slice
    of `rows` (a query reads only that page). A page nearer the end is read from the end, in the
    opposite order, then turned round: the database skips the rows before a page one by one, and the
    last of a large provider's 40,000 pages of incidents skipped 2 million (4.9 s)."""

    def __init__(self, rows, total: int):
        self.rows, self.total = rows, total

    def count(self) -> int:
        return self.total

    def __getitem__(self, page: slice):
        start, stop = page.start, min(page.stop, self.total)
        if start <= self.total - stop:
            return self.rows[page]
        return list(reversed(self.rows.reverse()[self.total - stop : self.total - start]))


class IncidentListView(StaffRequiredMixin, ListView):
    """The incidents a person may review, newest first, filtered by the import that added or last
    changed them and by service: after an import, exactly the rows its file made."""

    provider_permission = "learning_transfer.read_review_candidates"
    template_name = "learning_transfer/incident_list.html"
    context_object_name = "incidents"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        # A file that changed nothing (uploaded again) names no incident: it is not offered.
        imports_qs = ImportJob.objects.filter(
            Q(created_count__gt=0) | Q(updated_count__gt=0),
            provider__in=self.providers,
            kind=ImportKind.INCIDENTS,
            status=ImportStatus.SUCCEEDED,
        ).order_by("-created_at")
        services_qs = visible_services(user, roles=permissions.REVIEWERS).order_by("name")
        self.filter_form = IncidentFilterForm(
            self.request.GET or None, imports=imports_qs, services=services_qs
        )
        incidents = permissions.reviewable_incidents(user)
        chosen = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        if chosen.get("import_job"):
            incidents = incidents.filter(import_job=chosen["import_job"])
        if chosen.get("service"):
            incidents = incidents.filter(service=chosen["service"])
        if chosen.get("up_to"):
            incidents = incidents.filter(occurred_at__lt=london_start(chosen["up_to"] + timedelta(days=1)))
        # Every incident of the services, or of one: the daily roll-up says how many without reading
        # them (a file's are few, and counted from its own index).
        self.total = None
        if not chosen.get("import_job"):
            counted = services_qs.filter(pk=chosen["service"].pk) if chosen.get("service") else services_qs
            self.total = incidents_on_record(counted.order_by(), chosen.get("up_to"))
        return incidents.select_related("service", "import_job").order_by("-occurred_at", "-pk")

    def get_paginator(self, queryset, per_page, **kwargs):
        rows = queryset if self.total is None else Counted(queryset, self.total)
        return super().get_paginator(rows, per_page, **kwargs)

    def get_context_data(self, **kwargs):
        form = self.filter_form
        chosen_import = form.cleaned_data.get("import_job") if form.is_valid() else None
        context = super().get_context_data(filter_form=form, chosen_import=chosen_import, **kwargs)
        # The page's services where the person may correct an incident: one query for the whole page.
        shown = {incident.service_id for incident in context["incidents"]}
        context["correctable_services"] = set(
            permissions.recordable_services(self.request.user)
            .filter(pk__in=shown)
            .values_list("pk", flat=True)
        )
        return context


class IncidentCreateView(StaffRequiredMixin, FormView):
    """Enter a single incident by hand (the same rules as a file import)."""

    template_name = "learning_transfer/incident_form.html"
    form_class = IncidentForm

    def get_form_kwargs(self):
        services_qs = permissions.recordable_services(self.request.user).order_by("name")
        if not services_qs.exists():
            # Asked of a service the person works at, so the refusal names who records incidents there.
            service = visible_services(self.request.user).order_by("name").first()
            raise Refused("learning_transfer.record_incident", service)
        return {**super().get_form_kwargs(), "services": services_qs}

    def form_valid(self, form):
        try:
            incident = services.record_incident(by=self.request.user, **form.cleaned_data)
        except AlreadyDone as done:  # a double tap: the first one saved it, say so and go on
            messages.info(self.request, done.message)
            incident = done.existing
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        else:
            messages.success(
                self.request, f"Incident {incident.source_reference} recorded at {incident.service}."
            )
        # Onward to a page the person may open: the review list for those who decide what the incident
        # needs, else their own dashboard (a registered manager records incidents but reviews none).
        if self.request.user.has_perm("learning_transfer.read_review_candidates", incident.service.provider):
            return redirect("learning_transfer:review_candidates")
        return redirect("home")


class IncidentCorrectView(StaffRequiredMixin, FormView):
    """Correct an incident logged with a mistake, with the reason; the earlier values stay in its
    history and the page lists the corrections made so far. Whoever may enter an incident at its
    service may correct it (the rules live in services.correct_incident)."""

    template_name = "learning_transfer/incident_correct.html"
    form_class = IncidentCorrectionForm

    def get_incident(self) -> Incident:
        """The incident, if the person can see it (else a 404) and may enter incidents at its service
        (else a refusal naming who may)."""
        if not hasattr(self, "_incident"):
            incident = get_object_or_404(
                permissions.visible_incidents(self.request.user).select_related("service__provider"),
                pk=self.kwargs["pk"],
            )
            require_perm(self.request.user, RECORD, incident.service)
            self._incident = incident
        return self._incident

    def get_form_kwargs(self):
        incident = self.get_incident()
        services_qs = permissions.recordable_services(self.request.user).filter(
            provider=incident.service.provider
        )
        return {**super().get_form_kwargs(), "incident": incident, "services": services_qs.order_by("name")}

    def get_initial(self):
        incident = self.get_incident()
        return {name: getattr(incident, name) for name in IncidentCorrectionForm.Meta.fields}

    def get_context_data(self, **kwargs):
        incident = self.get_incident()
        return super().get_context_data(
            incident=incident,
            corrections=corrections(incident),
            triggers=list(incident.learning_triggers.order_by("pk")),
            **kwargs,
        )

    def form_valid(self, form):
        incident = self.get_incident()
        try:
            services.correct_incident(
                incident, by=self.request.user, changes=form.changes(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, f"Incident {incident.source_reference} corrected.")
        # Back to the incident's review for those who decide it; else to this page, listing the correction.
        if self.request.user.has_perm("learning_transfer.review_incident", incident):
            return redirect("learning_transfer:incident_review", pk=incident.pk)
        return redirect("learning_transfer:incident_correct", pk=incident.pk)


class ReviewCandidateListView(StaffRequiredMixin, TemplateView):
    """Incidents that need a formal review (seed 003): by default those still awaiting a decision, each
    with 'log as trigger' and 'record review outcome'; decided ones show the trigger or the outcome."""

    provider_permission = "learning_transfer.read_review_candidates"
    template_name = "learning_transfer/review_candidates.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        services_qs = visible_services(user, roles=permissions.REVIEWERS).order_by("name")
        form = ReviewFilterForm(self.request.GET or None, services=services_qs)
        service, reason, status = None, "", CandidateStatus.AWAITING
        if form.is_valid():
            service, reason, status = (form.cleaned_data[f] for f in ("service", "reason", "status"))

        def page_of(number):
            return review_candidates(
                user,
                now=timezone.now(),
                service=service,
                reason=reason or "",
                status=status,
                limit=REVIEW_PAGE_SIZE,
                offset=(number - 1) * REVIEW_PAGE_SIZE,
            )

        # One page of the list; a page past the last (an old link) shows the last one.
        number = _page_number(self.request.GET.get("page"))
        candidates, total = page_of(number)
        paginator = Paginator(range(total), REVIEW_PAGE_SIZE)  # counts without rows: a range
        if number > paginator.num_pages:
            number = paginator.num_pages
            candidates = page_of(number)[0]
        page = paginator.page(number)
        # Per row, because a person may manage triggers for one provider and only read another's list.
        deciding = {provider.pk for provider in providers_where(user, "learning_transfer.log_trigger")}
        return super().get_context_data(
            filter_form=form,
            candidates=candidates,
            total=total,
            status=status,
            page_obj=page,
            paginator=paginator,
            is_paginated=paginator.num_pages > 1,
            deciding_providers=deciding,
            **kwargs,
        )


class IncidentReviewView(StaffRequiredMixin, FormView):
    """Record that a flagged incident was reviewed and needs no provider learning trigger, and why."""

    template_name = "learning_transfer/incident_review.html"
    form_class = IncidentReviewForm

    def get_incident(self) -> Incident:
        """The incident, if the person can see it (anything else is a 404)."""
        if not hasattr(self, "_incident"):
            self._incident = get_object_or_404(
                permissions.visible_incidents(self.request.user).select_related(
                    "service__provider", "review__reviewed_by"
                ),
                pk=self.kwargs["pk"],
            )
        return self._incident

    def get_form_kwargs(self):
        require_perm(self.request.user, "learning_transfer.review_incident", self.get_incident())
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        incident = self.get_incident()
        return super().get_context_data(
            incident=incident,
            reasons=flag_reasons(incident, now=timezone.now()),
            review=getattr(incident, "review", None),
            triggers=list(incident.learning_triggers.order_by("pk")),
            corrections=corrections(incident),
            can_correct=self.request.user.has_perm(RECORD, incident.service),
            **kwargs,
        )

    def form_valid(self, form):
        incident = self.get_incident()
        outcome = form.cleaned_data["outcome"]
        try:
            record_review(incident, by=self.request.user, outcome=outcome, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):  # a field's problem: show it on the form
                add_service_errors(form, error)
                return self.form_invalid(form)
            # Already decided (a double submit, or a trigger was logged meanwhile): say so on the list.
            for message in error.messages:
                messages.error(self.request, message)
            decided = reverse("learning_transfer:review_candidates") + f"?status={CandidateStatus.REVIEWED}"
            return redirect(decided)
        messages.success(
            self.request,
            f"Review outcome recorded for {incident.source_reference}: {ReviewOutcome(outcome).label}. "
            "It is no longer awaiting a decision.",
        )
        return redirect("learning_transfer:review_candidates")
