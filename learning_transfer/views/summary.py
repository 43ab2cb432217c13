"""The executive learning summary (A5) for the nominated individual."""

from django.utils import timezone
from django.views.generic import TemplateView

from providers.mixins import StaffRequiredMixin

from ..charts import averages_words, before_after_chart
from ..filters import SummaryFilterForm
from ..services.summary import SummaryFilters, executive_summary


class LearningSummaryView(StaffRequiredMixin, TemplateView):
    """Across every trigger of the provider: confirmation rate, repeated defects, high-risk services
    lacking verified action, escalations, and the before/after trend, filtered by region, theme, period."""

    provider_permission = "learning_transfer.read_summary"
    template_name = "learning_transfer/summary.html"

    def get_context_data(self, **kwargs):
        provider = self.providers[0]
        data = self.request.GET.copy() if self.request.GET else None
        if data is not None:
            # An address without a period (a bookmark, a region chosen alone) is for the default
            # period, and its box says so (found: the box fell back to its first choice, 30 days).
            data.setdefault("period", SummaryFilterForm.base_fields["period"].initial)
        form = SummaryFilterForm(data, provider=provider)
        filters = SummaryFilters()
        if form.is_valid():
            data = form.cleaned_data
            filters = SummaryFilters(region=data["region"], theme=data["theme"], period=data["period"])
        # An invalid filter is not ignored silently: the template shows the error summary and the field
        # error, and says the figures below are the unfiltered defaults until it is corrected.
        if form.is_bound and not form.is_valid():
            form = _showing_defaults(form)
        summary = executive_summary(provider, filters, timezone.now())
        return super().get_context_data(
            provider=provider,
            filter_form=form,
            filter_invalid=form.is_bound and not form.is_valid(),
            summary=summary,
            chart=before_after_chart(summary["trend_weeks"]),
            averages=averages_words(summary["trend_weeks"]),  # said on the page, not only to a reader
            **kwargs,
        )


def _showing_defaults(form: SummaryFilterForm) -> SummaryFilterForm:
    """The refused filter's boxes set back to the defaults the figures below use, its errors kept
    (found: "?period=7" left the Period box on its first choice, 30 days, above 12 months' figures)."""
    errors = form.errors
    data = form.data.copy()
    for name in errors:
        if name in form.fields:
            data[name] = form.fields[name].initial or ""
    form.data = data
    return form
