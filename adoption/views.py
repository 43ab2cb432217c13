"""Pages of chain B: a service's adoption checks, a deployment, deploying learning, and correcting an
observation.

Every object is loaded through the scopes of adoption.permissions, so another provider's records are a
404; what the person may do is asked with `user.has_perm`; commissioners are refused (403) by
StaffRequiredMixin.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from escalation.choices import StepRunState
from learning_transfer.models import MatchedService
from providers import permissions
from providers.actions import AlreadyDone
from providers.history import recent_changes
from providers.mixins import FormOnlyMixin, StaffRequiredMixin
from providers.permissions import require_perm
from providers.who_acts import split_yours

from . import chain, charts, services
from .forms import CheckFilterForm, CloseForm, CorrectionForm, DeployForm, ObservationForm
from .models import AdoptionObservation, Deployment, DeploymentStatus
from .permissions import visible_deployments
from .unheld_roles import NobodyToRecord, unheld_roles


class MyServiceView(StaffRequiredMixin, TemplateView):
    """A service's deployments and every adoption check (chain B) due, overdue or recorded, soonest first.

    Without a service in the URL it covers every service the person can see (one, for a manager); a
    person over several sees first, for each, how many checks are overdue and due today.
    """

    for_the_work = True

    template_name = "adoption/my_service.html"
    page_size = 25

    def get_context_data(self, **kwargs):
        user = self.request.user
        scope = permissions.visible_services(user)
        service = None
        if "service_pk" in self.kwargs:
            service = get_object_or_404(scope, pk=self.kwargs["service_pk"])
            scope = scope.filter(pk=service.pk)
        # The page's lists depend only on the person's roles (and the service and checks asked for):
        # their SQL is compiled once for those roles, not on every view of the page.
        kept_as = f"service {service.pk}" if service else "every service"
        deployments = permissions.compiled_once(
            user,
            f"adoption deployments at {kept_as}",
            lambda: (
                Deployment.objects.filter(service__in=scope)
                .select_related("service", "matched_service__trigger")
                .order_by("-deployed_at")
            ),
        ).rows()
        deployable = permissions.compiled_once(
            user,
            f"adoption deployable at {kept_as}",
            lambda: services.deployable_matches(user).filter(service__in=scope),
        ).rows()
        now = timezone.now()
        filter_form = CheckFilterForm(self.request.GET or None)
        states = filter_form.states()
        checks = permissions.KeptList(
            user,
            f"adoption checks {states} at {kept_as}",
            lambda: services.chain_b_step_runs(scope, states),
        )
        page = Paginator(checks, self.page_size).get_page(self.request.GET.get("page"))
        step_runs = list(page.object_list)
        for step_run in step_runs:
            step_run.shown_state = step_run.display_state(now)
        yours, others = split_yours(user, step_runs, "escalation.record_step")
        # A person over several services (a deputy regional manager) sees each one summed up first.
        several = service is None and scope.count() > 1
        return super().get_context_data(
            service=service,
            several=several,
            service_summary=services.service_summary(scope, now) if several else [],
            deployments=deployments,
            filter_form=filter_form,
            page=page,
            step_runs=step_runs,
            yours=yours,
            others=others,
            deployable=deployable,
            **kwargs,
        )


class DeploymentDetailView(StaffRequiredMixin, TemplateView):
    """What needs doing now first (groups weak now, overdue checks, the next due), then the baselines,
    each measure by team, shift and location with weak groups flagged, the observations as recorded
    (and corrected), newest first a page at a time, the chain B timeline, and closing while no group
    is weak now. The long sections are folded, so the first screen of a phone says what to do.

    Its queries do not grow with the observations: the comparison reads them all once, as plain rows
    (no model instance each), and the observations table loads only the page it shows, so what the
    page renders does not grow with the history either (a live deployment records observations every
    shift).
    """

    template_name = "adoption/deployment_detail.html"
    observations_per_page = 10

    def get_context_data(self, **kwargs):
        user = self.request.user
        deployment = _visible_deployment(
            user,
            self.kwargs["pk"],
            "its page",
            lambda deployments: deployments.select_related(
                "service", "deployed_by", "matched_service__trigger", "matched_service__lead__person"
            ),
        )
        run = chain.run_for(deployment)
        now = timezone.now()
        timeline = list(run.step_runs.order_by("due_at", "code")) if run else []
        for step_run in timeline:
            step_run.shown_state = step_run.display_state(now)
        steps = chain.steps()
        templates = {step.code: step for step in steps}
        # The comparison by group reads every observation as a plain row, and each shift's recorded
        # check as one of its shift (the timeline holds every step run of the case, so the rules come
        # from it); the table below shows one page of the observations, newest first, loaded with who
        # recorded each.
        observed = services.observed_rows(deployment)
        sections = services.variation_sections(
            deployment,
            templates,
            step_runs=timeline,
            observations=observed,
            shift_checks=services.shift_check_rows(deployment),
        )
        for section in sections:
            section["chart"] = charts.variation_chart(section)
        history = recent_changes(deployment)
        observations_page = Paginator(
            [row.pk for row in reversed(observed)], self.observations_per_page
        ).get_page(self.request.GET.get("page"))
        shown = list(
            deployment.observations.filter(pk__in=observations_page.object_list)
            .select_related("team", "recorded_by")
            .order_by("-observed_at", "-pk")
        )
        live = deployment.status == DeploymentStatus.ACTIVE
        can_record = live and user.has_perm("adoption.record_observation", deployment)
        # A form sent back with its errors is shown only while observations can still be recorded.
        form = kwargs.pop("form", None)
        if not can_record:
            form = None
        elif form is None:
            form = ObservationForm(deployment=deployment, steps=steps)
        close_form = kwargs.pop("close_form", None) or CloseForm()
        can_close = live and user.has_perm("adoption.close_deployment", deployment)
        review = services.lasting_review(deployment, timeline)
        return super().get_context_data(
            deployment=deployment,
            live=live,
            run=run,
            timeline=timeline,
            to_do=_to_do_now(timeline),
            sections=sections,
            weak_now=services.weak_now_groups(sections),
            observations=_observation_rows(shown, templates, services.corrections(deployment, shown)),
            observations_page=observations_page,
            can_correct=can_record,
            history=history,
            form=form,
            can_close=can_close,
            # The final review, linked from "closing is not available yet" while it is still to record.
            review_to_record=review if review and review.state not in services.RECORDED_STATES else None,
            not_yet_closable=services.closing_refusals(sections, review) if can_close else [],
            weak_now_refusal=services.WEAK_NOW_REFUSAL,
            close_form=close_form,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Record one group's observation; the page shows it in the comparison at once."""
        now = timezone.now()  # the request's time: the observation, its history and escalations read it
        # The form and the service both read the service's shifts: loaded once, with the deployment.
        deployment = _visible_deployment(
            request.user,
            kwargs["pk"],
            "recording",
            lambda deployments: deployments.select_related("service").prefetch_related(
                "service__shift_patterns"
            ),
        )
        require_perm(request.user, "adoption.record_observation", deployment)
        form = ObservationForm(request.POST, deployment=deployment, steps=chain.steps())
        try:
            # A closed deployment's page offers no form to show errors on: its refusal comes first.
            services.check_live(deployment)
            if form.is_valid():
                code, measure = form.cleaned_data["measure"].split(":", 1)
                services.record_team_observation(
                    deployment,
                    by=request.user,
                    step_code=code,
                    values={measure: form.cleaned_data["value"]},
                    team=form.cleaned_data["team"],
                    shift_name=form.cleaned_data["shift_name"],
                    location=form.cleaned_data["location"],
                    observed_at=form.cleaned_data["observed_at"],
                    now=now,
                )
                messages.success(
                    request, "Observation recorded: the comparison by team, shift and location includes it."
                )
                return redirect("adoption:deployment_detail", pk=deployment.pk)
        except services.MonitoringEnded as exc:
            messages.error(request, exc.messages[0])
            return redirect("adoption:deployment_detail", pk=deployment.pk)
        except AlreadyDone as done:  # a double tap: the first is recorded, nothing more
            messages.info(request, done.message)
            return redirect("adoption:deployment_detail", pk=deployment.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        return self.render_to_response(self.get_context_data(form=form, **kwargs))


def _visible_deployment(user, pk: int, purpose: str, loading) -> Deployment:
    """Deployment `pk` when the person's roles reach its service (else a 404, as for another
    provider's), with what `loading` adds to the query for the `purpose` named. Every view of the page
    and every observation recorded asks this; its SQL is compiled once for the roles held
    (`permissions.compiled_once`)."""
    found = permissions.compiled_once(
        user,
        f"adoption deployment for {purpose}",
        lambda deployment: loading(visible_deployments(user)).filter(pk=deployment),
        deployment=pk,
    ).rows()
    if not found:
        raise Http404("No Deployment matches the given query.")
    return found[0]


# How many overdue checks, and how many due next, the top of the deployment page names.
TO_DO_FIRST = 3


def _to_do_now(timeline) -> dict:
    """What the top of the deployment page names, from the timeline as it shows each check: the
    overdue checks, longest overdue first, and the next checks open to record, soonest first. The
    timeline further down the page lists every check."""
    overdue = [s for s in timeline if s.shown_state == StepRunState.OVERDUE]
    due = [s for s in timeline if s.shown_state == StepRunState.DUE]
    return {
        "overdue": overdue[:TO_DO_FIRST],
        "overdue_count": len(overdue),
        "more_overdue": max(len(overdue) - TO_DO_FIRST, 0),
        "due_next": due[:TO_DO_FIRST],
    }


def _observation_rows(observations, templates, corrected) -> list:
    """The observations as the page lists them: figures labelled, and the latest correction if any."""
    for observation in observations:
        step = templates.get(observation.step_code)
        observation.step_template = step  # the Step column names it in words, its code after them
        labels = {m["name"]: m["label"] for m in step.measures} if step else {}
        observation.figures = [(labels.get(name, name), value) for name, value in observation.values.items()]
        observation.correction = corrected.get(observation.pk)
    return observations


class CloseDeploymentView(FormOnlyMixin, DeploymentDetailView):
    """Close a deployment with a reason (its deployers only); chain B's open checks close with it.

    Without a reason, or while the service refuses (nothing observed, the final review not recorded,
    a group weak now), the deployment page comes back with the error summary above the reason box.
    """

    http_method_names = ["post"]  # the page itself is the deployment's
    form_page_name = "adoption:deployment_detail"

    def post(self, request, *args, **kwargs):
        deployment = get_object_or_404(
            visible_deployments(request.user).select_related("service"), pk=kwargs["pk"]
        )
        require_perm(request.user, "adoption.close_deployment", deployment)
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                services.close_deployment(deployment, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, f"Live monitoring at {deployment.service} closed, with its open checks."
                )
                return redirect("adoption:deployment_detail", pk=deployment.pk)
        return self.render_to_response(self.get_context_data(close_form=form, **kwargs))


class ObservationEditView(StaffRequiredMixin, FormView):
    """Correct a wrongly entered observation with a reason (the service's chain B roles, while the
    deployment is live). Another provider's observation is a 404, a person without the role a 403."""

    template_name = "adoption/observation_edit.html"
    form_class = CorrectionForm

    def dispatch(self, request, *args, **kwargs):
        # The mixin answers anonymous people and commissioners first; only staff get this far.
        if request.user.is_authenticated and permissions.is_provider_staff(request.user):
            self.observation = get_object_or_404(
                AdoptionObservation.objects.filter(
                    deployment__service__in=permissions.visible_services(request.user)
                ).select_related(
                    "team", "recorded_by", "deployment__service", "deployment__matched_service__trigger"
                ),
                pk=kwargs["pk"],
            )
            require_perm(request.user, "adoption.correct_observation", self.observation)
            # The step by name, as every page shows it; its measures label the figures.
            self.step = next(step for step in chain.steps() if step.code == self.observation.step_code)
            self.labels = {m["name"]: m["label"] for m in self.step.measures}
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"observation": self.observation, "labels": self.labels}

    def get_form(self, form_class=None):
        # A closed deployment's observations are final: the page explains, with no form to send.
        if self.observation.deployment.status == DeploymentStatus.CLOSED:
            return None
        return super().get_form(form_class)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form is None:
            return self.render_to_response(self.get_context_data(form=None))
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def get_context_data(self, **kwargs):
        observation = self.observation
        figures = [(self.labels.get(name, name), value) for name, value in observation.values.items()]
        return super().get_context_data(
            observation=observation,
            step=self.step,
            deployment=observation.deployment,
            figures=figures,
            **kwargs,
        )

    def form_valid(self, form):
        deployment_url = redirect("adoption:deployment_detail", pk=self.observation.deployment_id)
        try:
            services.correct_observation(
                self.observation,
                by=self.request.user,
                reason=form.cleaned_data["reason"],
                values=form.corrected_values(),
                team=form.cleaned_data["team"],
                shift_name=form.cleaned_data["shift_name"],
                location=form.cleaned_data["location"],
            )
        except services.NothingToCorrect as exc:
            # A double submit lands here: the first one saved the correction, so show where it is.
            messages.info(self.request, exc.messages[0])
            return deployment_url
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Observation corrected: {form.cleaned_data['reason']}")
        return deployment_url


class DeployView(StaffRequiredMixin, FormView):
    """Put a matched service's learning live and start chain B (deployers of that service only).

    Once the learning is live, the page points to its deployment rather than offering the form again.
    Where nobody holds a role that records some of the checks, it says so before anything is typed,
    and deploying needs "Deploy anyway" (`unheld_roles`)."""

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
            require_perm(request.user, "adoption.deploy_learning", self.match)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        live = Deployment.objects.filter(matched_service=self.match).first()
        if live is not None:
            return self.render_to_response({"match": self.match, "live": live})
        return super().get(request, *args, **kwargs)

    def _unheld_roles(self) -> list:
        """The roles nobody at the service holds, were the learning live from now; none for a service
        the engine cannot schedule (deploying then says why). Worked out once a request, for every
        render of the form: a form sent back with any other error keeps the warning and the
        "Deploy anyway" box, so the next send can deploy."""
        if not hasattr(self, "unheld"):
            try:
                self.unheld = unheld_roles(self.match.service, timezone.now())
            except ValidationError:
                self.unheld = []
        return self.unheld

    def get_form_kwargs(self):
        asked = bool(self._unheld_roles())
        return super().get_form_kwargs() | {"match": self.match, "ask_to_deploy_anyway": asked}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("unheld_roles", self._unheld_roles())
        return super().get_context_data(match=self.match, **kwargs)

    def form_valid(self, form):
        try:
            deployment = services.deploy_learning(self.match, by=self.request.user, **form.cleaned_data)
        except NobodyToRecord as gap:
            # Nothing saved: the form comes back as typed, naming the roles, with the checkbox.
            form.ask_to_deploy_anyway()
            form.add_service_errors(gap)
            return self.render_to_response(self.get_context_data(form=form, unheld_roles=gap.roles))
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"The learning is live at {deployment.service}: its adoption checks are now scheduled.",
        )
        return redirect("adoption:deployment_detail", pk=deployment.pk)
