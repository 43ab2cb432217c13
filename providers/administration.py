"""The pages where a provider's administrator keeps their own provider up to date."""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from . import services
from .forms import WorkingHoursForm, add_service_errors
from .mixins import StaffRequiredMixin

ADMINISTER = "providers.administer_provider"


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


class WorkingHoursView(AdministeredProviderMixin, TemplateView):
    """The provider's working day and working weekdays, which every working-time deadline counts in."""

    template_name = "providers/working_hours.html"

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
        history = provider.history.select_related("history_user").order_by("-history_date")[:20]
        return super().get_context_data(
            provider=provider,
            providers=self.providers,
            form=kwargs.pop("form", None) or self._form(),
            history=history,
            **kwargs,
        )

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                services.set_working_hours(self.provider, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Working hours saved for {self.provider}.")
                return self.back_here()
        return self.render_to_response(self.get_context_data(form=form))
