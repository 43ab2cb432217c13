"""The filters of chain A's list pages: the register, the executive summary, the incidents awaiting
review and the incident list. Each only narrows what the person may see already (the view passes the
services and imports it offers)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from providers.fields import ChoiceField, DateField, DateFilter, FilterForm, RecordChoiceField, RecordFilter
from providers.models import Region, Service
from providers.templatetags.nhsuk import london

from .choices import CandidateStatus, IncidentTheme, ReviewReason, TriggerStatus
from .models import ImportJob, LearningTrigger, MatchedService
from .services.summary import PERIODS


class RegisterFilterForm(FilterForm):
    """The register's filter form: a date range that cannot hold anything is refused, not answered
    with "No triggers match" (found: "on or after" 11 March, "on or before" 1 January)."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("confirmed_from"), cleaned.get("confirmed_to")
        if start and end and start > end:
            self.add_error("confirmed_to", "Enter a date on or after the “Confirmed on or after” date.")
        return cleaned


class TriggerFilterSet(django_filters.FilterSet):
    """The register's filters: where the failure happened, which service the learning was sent to,
    theme, status and confirmation date."""

    service = RecordFilter(
        field_name="source_service",
        queryset=Service.objects.none(),
        label="Where it happened",
        empty_label="Any service",
        label_field="name",  # a service is shown by its name
    )
    # A service's manager asks "what learning were we sent?": its matched services still included.
    sent_to = RecordFilter(
        method="filter_sent_to",
        queryset=Service.objects.none(),
        label="Sent to",
        empty_label="Any service",
        label_field="name",
    )
    theme = django_filters.ChoiceFilter(choices=IncidentTheme.choices, empty_label="Any theme")
    status = django_filters.ChoiceFilter(choices=TriggerStatus.choices, empty_label="Any status")
    confirmed_from = DateFilter(
        field_name="confirmed_at",
        lookup_expr="date__gte",
        label="Confirmed on or after",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    confirmed_to = DateFilter(
        field_name="confirmed_at",
        lookup_expr="date__lte",
        label="Confirmed on or before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = LearningTrigger
        fields = ["service", "sent_to", "theme", "status", "confirmed_from", "confirmed_to"]
        form = RegisterFilterForm

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("service", "sent_to"):
            self.filters[name].queryset = services if services is not None else Service.objects.none()

    def filter_sent_to(self, queryset, name, service):
        """Triggers whose learning goes to `service` (an included matched service): one row each."""
        sent = MatchedService.objects.filter(trigger=OuterRef("pk"), service=service, included=True)
        return queryset.filter(Exists(sent))


class SummaryFilterForm(FilterForm):
    region = RecordChoiceField(queryset=Region.objects.none(), required=False, empty_label="All regions")
    theme = ChoiceField(choices=[("", "All themes"), *IncidentTheme.choices], required=False)
    period = ChoiceField(
        choices=[
            ("30", "Last 30 days"),
            ("90", "Last 90 days"),
            ("365", "Last 12 months"),
            ("all", "All time"),
        ],
        required=False,
        initial="365",
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(provider=provider)

    def clean_period(self):
        period = self.cleaned_data.get("period") or "365"
        return period if period in PERIODS else "365"


class ReviewFilterForm(FilterForm):
    service = RecordChoiceField(queryset=Service.objects.none(), required=False, empty_label="All services")
    reason = ChoiceField(choices=[("", "Any reason"), *ReviewReason.choices], required=False)
    status = ChoiceField(
        label="Decision",
        choices=CandidateStatus.choices,
        required=False,
        initial=CandidateStatus.AWAITING,
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services

    def clean_status(self):
        # An empty choice (an old bookmark) means the default: the incidents still awaiting a decision.
        return self.cleaned_data.get("status") or CandidateStatus.AWAITING


class IncidentFilterForm(FilterForm):
    """The incident list's filters: the import an incident came from, its service, and the London day
    the list goes back from."""

    import_job = RecordChoiceField(
        label="Import", queryset=ImportJob.objects.none(), required=False, empty_label="Any import"
    )
    service = RecordChoiceField(queryset=Service.objects.none(), required=False, empty_label="All services")
    up_to = DateField(
        label="Happened on or before",
        required=False,
        help_text="To go back to older incidents: the list starts from this day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, imports, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_job"].queryset = imports
        self.fields["import_job"].label_from_instance = import_label
        self.fields["service"].queryset = services


def import_label(job) -> str:
    """An import as people recognise it: its file and when it was uploaded, then its number and what it
    saved, which tell apart the same file uploaded twice in a minute."""
    saved = f"{job.created_count:,} new, {job.updated_count:,} updated"
    return f"{job.original_name}, {london(job.created_at)} (import {job.pk}: {saved})"
