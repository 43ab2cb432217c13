"""Pages of chain B: a service's adoption checks, a deployment, and deploying learning.

Every object is loaded through providers.permissions scopes, so another provider's records are a 404;
commissioners are refused (403) by StaffRequiredMixin.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from learning_transfer.models import MatchedService
from providers import permissions
from providers.mixins import StaffRequiredMixin

from . import chain, charts, services
from .forms import DeployForm, ObservationForm
from .models import Deployment


class MyServiceView(StaffRequiredMixin, TemplateView):
    """A service's deployments and every chain B check due, overdue or recorded, soonest first.

    Without a service in the URL it covers every service the person can see (one, for a manager).
    """

    template_name = "adoption/my_service.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        scope = permissions.visible_services(user)
        service = None
        if "service_pk" in self.kwargs:
            service = get_object_or_404(scope, pk=self.kwargs["service_pk"])
            scope = scope.filter(pk=service.pk)
        deployments = (
            Deployment.objects.filter(service__in=scope)
            .select_related("service", "matched_service__trigger")
            .order_by("-deployed_at")
        )
        now = timezone.now()
        step_runs = list(services.chain_b_step_runs(scope))
        for step_run in step_runs:
            step_run.shown_state = step_run.display_state(now)
        return super().get_context_data(
            service=service,
            deployments=list(deployments),
            step_runs=step_runs,
            deployable=list(services.deployable_matches(user).filter(service__in=scope)),
            **kwargs,
        )


def visible_deployments(user):
    return Deployment.objects.filter(service__in=permissions.visible_services(user))


class DeploymentDetailView(StaffRequiredMixin, TemplateView):
    """Baselines, the chain B timeline, and each measure by team and shift with weak groups flagged."""

    template_name = "adoption/deployment_detail.html"

    def get_context_data(self, **kwargs):
        deployment = get_object_or_404(
            visible_deployments(self.request.user).select_related(
                "service", "deployed_by", "matched_service__trigger", "matched_service__lead__person"
            ),
            pk=self.kwargs["pk"],
        )
        run = chain.run_for(deployment)
        now = timezone.now()
        timeline = list(run.step_runs.order_by("due_at", "code")) if run else []
        for step_run in timeline:
            step_run.shown_state = step_run.display_state(now)
        sections = services.variation_sections(deployment)
        for section in sections:
            section["chart"] = charts.variation_chart(section)
        history = deployment.history.select_related("history_user").order_by("-history_date")[:20]
        form = None
        if services.can_observe(self.request.user, deployment):
            form = kwargs.pop("form", None) or ObservationForm(
                deployment=deployment, steps=services.chain_b_steps()
            )
        return super().get_context_data(
            deployment=deployment,
            run=run,
            timeline=timeline,
            sections=sections,
            history=history,
            form=form,
            can_close=services.can_close(self.request.user, deployment),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Record one team or shift observation; the page shows it in the comparison at once."""
        deployment = get_object_or_404(visible_deployments(request.user), pk=kwargs["pk"])
        permissions.require(services.can_observe(request.user, deployment))
        form = ObservationForm(request.POST, deployment=deployment, steps=services.chain_b_steps())
        if form.is_valid():
            code, measure = form.cleaned_data["measure"].split(":", 1)
            try:
                services.record_team_observation(
                    deployment,
                    by=request.user,
                    step_code=code,
                    values={measure: form.cleaned_data["value"]},
                    team=form.cleaned_data["team"],
                    shift_name=form.cleaned_data["shift_name"],
                    observed_at=form.cleaned_data["observed_at"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect("adoption:deployment_detail", pk=deployment.pk)
        return self.render_to_response(self.get_context_data(form=form, **kwargs))


class CloseDeploymentView(StaffRequiredMixin, View):
    """Close a deployment with a reason (its deployers only); chain B's open checks close with it."""

    def post(self, request, pk):
        deployment = get_object_or_404(visible_deployments(request.user).select_related("service"), pk=pk)
        permissions.require(services.can_close(request.user, deployment))
        try:
            services.close_deployment(deployment, by=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("adoption:deployment_detail", pk=deployment.pk)


class DeployView(StaffRequiredMixin, FormView):
    """Put a matched service's learning live and start chain B (deployers of that service only)."""

    template_name = "adoption/deploy_form.html"
    form_class = DeployForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and permissions.is_provider_staff(request.user):
            self.match = get_object_or_404(
                MatchedService.objects.filter(
                    service__in=permissions.visible_services(request.user)
                ).select_related("service", "trigger"),
                pk=kwargs["match_pk"],
            )
            permissions.require(
                permissions.holds_any_role(request.user, services.DEPLOYER_ROLES, service=self.match.service)
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(match=self.match, **kwargs)

    def form_valid(self, form):
        try:
            deployment = services.deploy_learning(self.match, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return self.form_invalid(form)
        return redirect("adoption:deployment_detail", pk=deployment.pk)
