"""Incident data: file import with progress, the template download, manual entry, and review candidates."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from providers.mixins import StaffRequiredMixin
from providers.permissions import visible_services

from .. import imports, permissions, services
from ..choices import ImportKind
from ..forms import ImportForm, IncidentForm, ReviewFilterForm, add_service_errors
from ..models import ImportJob
from ..services.review import review_candidates


def _import_providers(user):
    return permissions.providers_for(user, permissions.IMPORTERS).order_by("name")


class IncidentImportView(StaffRequiredMixin, FormView):
    """Upload an incident or care-hours file; the documented columns and templates are on the page."""

    allowed_roles = permissions.IMPORTERS
    template_name = "learning_transfer/import_form.html"
    form_class = ImportForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        providers = _import_providers(self.request.user)
        if providers.count() > 1:  # most people work for one provider: only then ask which
            form.fields["provider"] = forms.ModelChoiceField(queryset=providers)
        return form

    def get_initial(self):
        return {"kind": ImportKind.INCIDENTS}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            column_sets=[(kind, label, imports.COLUMNS[kind]) for kind, label in ImportKind.choices],
            recent_jobs=ImportJob.objects.filter(provider__in=_import_providers(self.request.user))
            .select_related("created_by")
            .order_by("-created_at")[:10],
            **kwargs,
        )

    def form_valid(self, form):
        provider = form.cleaned_data.get("provider") or _import_providers(self.request.user).first()
        if provider is None:
            raise Http404
        job = services.start_import(
            form.cleaned_data["file"], provider=provider, kind=form.cleaned_data["kind"], by=self.request.user
        )
        return redirect("learning_transfer:import_detail", pk=job.pk)


class ImportJobMixin(StaffRequiredMixin):
    allowed_roles = permissions.IMPORTERS
    context_object_name = "job"

    def get_queryset(self):
        return ImportJob.objects.filter(provider__in=_import_providers(self.request.user)).select_related(
            "created_by", "provider"
        )


class ImportJobDetailView(ImportJobMixin, DetailView):
    """What became of an upload: progress while it runs, then counts or every row's error."""

    template_name = "learning_transfer/import_detail.html"


class ImportJobProgressView(ImportJobMixin, DetailView):
    """The progress panel alone, polled by htmx every two seconds while the job runs."""

    template_name = "learning_transfer/includes/import_progress.html"


class ImportTemplateView(StaffRequiredMixin, View):
    """Download an empty example file (CSV or Excel) with every documented column."""

    def get(self, request, kind, extension):
        if kind not in ImportKind.values or extension not in ("csv", "xlsx"):
            raise Http404
        if extension == "csv":
            response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                imports.template_xlsx(kind),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{kind}_template.{extension}"'
        return response


class IncidentCreateView(StaffRequiredMixin, FormView):
    """Enter a single incident by hand (the same rules as a file import)."""

    allowed_roles = permissions.INCIDENT_RECORDERS
    template_name = "learning_transfer/incident_form.html"
    form_class = IncidentForm

    def get_form_kwargs(self):
        services_qs = permissions.recordable_services(self.request.user).order_by("name")
        return {**super().get_form_kwargs(), "services": services_qs}

    def form_valid(self, form):
        try:
            incident = services.record_incident(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Incident {incident.source_reference} recorded at {incident.service}."
        )
        return redirect("learning_transfer:review_candidates")


class ReviewCandidateListView(StaffRequiredMixin, TemplateView):
    """Incidents that need a formal review (seed 003), each with 'log as trigger'."""

    allowed_roles = permissions.REVIEWERS
    template_name = "learning_transfer/review_candidates.html"

    def get_context_data(self, **kwargs):
        services_qs = visible_services(self.request.user, roles=permissions.REVIEWERS).order_by("name")
        form = ReviewFilterForm(self.request.GET or None, services=services_qs)
        service = reason = None
        if form.is_valid():
            service, reason = form.cleaned_data["service"], form.cleaned_data["reason"]
        candidates, total = review_candidates(
            self.request.user, now=timezone.now(), service=service, reason=reason or ""
        )
        can_log = permissions.providers_for(self.request.user, permissions.TRIGGER_MANAGERS).exists()
        return super().get_context_data(
            filter_form=form, candidates=candidates, total=total, can_log=can_log, **kwargs
        )
