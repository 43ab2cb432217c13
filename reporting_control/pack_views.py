"""The evidence packs: staff request, follow and download an update's packs; a commissioner lists and
downloads the packs released to their organisation, and nothing else."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView, View

from providers import permissions as provider_permissions
from providers.mixins import CommissionerRequiredMixin, FormOnlyMixin
from providers.permissions import compiled_once

from . import permissions, services
from .choices import PackStatus
from .models import EvidencePack
from .views import UpdateMixin, act_on_update


class PackRequestView(FormOnlyMixin, UpdateMixin, View):
    """Queue a PDF evidence pack; the page then polls its progress."""

    form_page_name = "reporting_control:update_detail"

    permission = "reporting_control.request_pack"

    def post(self, request, pk):
        update = self.get_update()
        return act_on_update(
            request,
            update,
            lambda: services.request_pack(update, by=request.user),
            "Evidence pack requested: it will start shortly, and its progress shows below.",
        )


class PackRetryView(FormOnlyMixin, UpdateMixin, View):
    """Build a failed pack again (the rule and its permission live in services.retry_pack)."""

    form_page_name = "reporting_control:update_detail"

    def post(self, request, pk, pack_pk):
        update = self.get_update()
        pack = get_object_or_404(EvidencePack, pk=pack_pk, update=update)
        try:
            retried = services.retry_pack(pack, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if retried:
                messages.success(request, "The evidence pack will be built again shortly.")
            else:
                messages.info(request, "This evidence pack had not failed: nothing changed.")
        return redirect(update.get_absolute_url())


class PackProgressView(UpdateMixin, DetailView):
    """One pack's progress panel, polled by htmx every two seconds while it builds."""

    template_name = "reporting_control/includes/pack_progress.html"
    context_object_name = "pack"

    def get_object(self, queryset=None):
        return get_object_or_404(EvidencePack, pk=self.kwargs["pack_pk"], update=self.get_update())


def _pdf(pack: EvidencePack) -> FileResponse:
    if pack.status != PackStatus.READY or not pack.file:
        raise Http404("This evidence pack is not ready.")
    return FileResponse(
        pack.file.open("rb"), as_attachment=True, filename=pack.download_name, content_type="application/pdf"
    )


class PackDownloadView(UpdateMixin, View):
    """Download a ready pack of an update the person can see."""

    def get(self, request, pk, pack_pk):
        return _pdf(get_object_or_404(EvidencePack, pk=pack_pk, update=self.get_update()))


def _released_packs(user):
    """The packs released to the person's organisations, newest first, each update with the services
    of it they commission (`commissioned`)."""
    services = provider_permissions.commissioned_services(user).order_by("name")
    return (
        permissions.commissioner_packs(user)
        .select_related("update__provider")
        .prefetch_related(Prefetch("update__services", queryset=services, to_attr="commissioned"))
        .order_by("-update__released_at", "-pk")
    )


class CommissionerPackListView(CommissionerRequiredMixin, ListView):
    """The packs released to the person's commissioning organisation (and nothing else).

    Both lists depend on the person's roles alone, so their SQL is kept (`compiled_once`): a
    commissioner's scopes nest subqueries that took longer to turn into SQL than to run."""

    template_name = "reporting_control/commissioner_packs.html"
    context_object_name = "packs"

    def get_queryset(self):
        user = self.request.user
        return compiled_once(user, "released packs", lambda: _released_packs(user)).rows()

    def get_context_data(self, **kwargs):
        user = self.request.user
        services = compiled_once(
            user,
            "commissioned services",
            lambda: provider_permissions.commissioned_services(user).select_related("provider"),
        )
        return super().get_context_data(
            organisations=sorted(
                {str(a.commissioner) for a in provider_permissions.commissioner_assignments(user)}
            ),
            services=services.rows(),
            **kwargs,
        )


class CommissionerPackDownloadView(CommissionerRequiredMixin, View):
    """Download a pack the commissioner may see; any other pack is a 404."""

    def get(self, request, pk):
        user = request.user

        def released_to_them(pack):
            return permissions.commissioner_packs(user).filter(pk=pack)

        found = compiled_once(user, "a released pack", released_to_them, pack=pk).rows()
        if not found:
            raise Http404("No evidence pack released to you has this number.")
        return _pdf(found[0])
