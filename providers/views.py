"""Sign-in, the home page that routes each person to their dashboard, dashboards, and the organisation."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import DetailView, TemplateView, View

from . import permissions
from .choices import Role
from .dashboards import ROLE_PURPOSE, panels_for
from .forms import LoginForm
from .history import recent_changes
from .mixins import FormOnlyMixin, StaffRequiredMixin
from .models import RoleAssignment, ServiceRiskTag
from .who_acts import refusal


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def permission_denied(request, exception):
    """The refusal page (403). A refusal of a permission on an object names, in plain English, who can
    act there, to the person's own colleagues only; anyone else gets the plain page. A person who holds
    no role now is told that instead (`no_role`): the plain page's way to their dashboard leads nowhere."""
    if holds_no_role(request.user):
        return no_role(request, status=403)
    who_can = ""
    if isinstance(exception, permissions.Refused) and request.user.is_authenticated:
        who_can = refusal(request.user, exception.perm, exception.obj)
    return render(request, "403.html", {"who_can": who_can}, status=403)


def holds_no_role(user) -> bool:
    """Whether a signed-in person holds no role now (their last one removed). A superuser with none is
    not among them: their home is the operators' admin."""
    return user.is_authenticated and not user.is_superuser and not permissions.roles_held(user)


def no_role(request, status: int = 200):
    """The page of a person who holds no role now: they are told to ask their provider administrator,
    and can sign out. It links to no dashboard, since with no role the dashboard is this page."""
    return render(request, "providers/no_role.html", status=status)


class LogoutView(FormOnlyMixin, auth_views.LogoutView):
    """Sign out: the header's button (POST). The address opened on its own says so (FormOnlyMixin)."""

    form_page_takes_pk = False


class HomeView(LoginRequiredMixin, View):
    """Send each person to the dashboard of their most senior role."""

    def get(self, request):
        roles = permissions.roles_held(request.user)
        if roles == [Role.COMMISSIONER]:
            # Commissioners are outsiders: their only page is the list of released evidence packs.
            return redirect("reporting_control:commissioner_packs")
        if not roles:
            if request.user.is_superuser:
                return redirect("admin:index")
            return no_role(request)
        return redirect("dashboard", role=roles[0])


class DashboardView(LoginRequiredMixin, TemplateView):
    """A role's dashboard: its purpose, the person's scopes for it, and the panels apps registered."""

    template_name = "providers/dashboard.html"

    def get_context_data(self, **kwargs):
        role = kwargs.pop("role")
        if role == Role.COMMISSIONER or role not in permissions.roles_held(self.request.user):
            raise PermissionDenied
        scopes = [a for a in permissions.assignments(self.request.user) if a.role == role]
        panels = [
            {"template": panel.template, **panel.context(self.request, role)} for panel in panels_for(role)
        ]
        return super().get_context_data(
            role=role,
            role_label=Role(role).label,
            purpose=ROLE_PURPOSE.get(Role(role), ""),
            scopes=scopes,
            panels=panels,
            other_roles=[(r, Role(r).label) for r in permissions.roles_held(self.request.user) if r != role],
            **kwargs,
        )


def _services_listed(queryset):
    """Services with what the organisation list shows of each beside its risk profile (region and its
    provider, manager), in one query."""
    return queryset.select_related("region__provider", "registered_manager")


def _with_risk_profiles(services: list) -> list:
    """The services, each with its risk tags as a list, `risk_profile`, read by one query whose SQL is
    kept for as many services (`compiled_for_ids`). A list rather than Django's manager on each service,
    which cost more to make than the tags; and not a prefetch, whose query Django builds afresh on every
    request, at more cost than running it."""
    tags = permissions.compiled_for_ids(
        "risk tags of services",
        lambda ids: ServiceRiskTag.objects.filter(service_id__in=ids).order_by("service_id", "tag"),
        [service.pk for service in services],
    ).rows()
    by_service = {service.pk: service for service in services}
    for service in services:
        service.risk_profile = []
    for tag in tags:
        by_service[tag.service_id].risk_profile.append(tag)
    return services


class OrganisationView(StaffRequiredMixin, TemplateView):
    """Regions and services the person can see, with their managers and risk profiles, a page of
    services at a time (a large group runs 500), each page's services under their regions' headings."""

    template_name = "providers/organisation.html"
    services_per_page = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        services = permissions.KeptList(
            user,
            "organisation services",
            lambda: _services_listed(permissions.organisation_services(user)).order_by(
                "provider__name", "region__name", "region_id", "name", "pk"
            ),
        )
        page = Paginator(services, self.services_per_page).get_page(self.request.GET.get("page"))
        by_region = {}
        for service in _with_risk_profiles(list(page)):
            by_region.setdefault(service.region, []).append(service)
        return super().get_context_data(
            by_region=by_region,
            page=page,
            service_count=page.paginator.count,
            # The providers whose access history the person reads (an administrator, the NI).
            access_histories=permissions.providers_where(self.request.user, "providers.read_access_history"),
            **kwargs,
        )


class ServiceDetailView(StaffRequiredMixin, DetailView):
    """One service: profile, teams, shifts, the people holding roles there, and its history."""

    template_name = "providers/service_detail.html"
    context_object_name = "service"

    def get_object(self, queryset=None):
        # Scoping the queryset (not checking afterwards) means another provider's service is a 404.
        service = get_object_or_404(
            _services_listed(permissions.organisation_services(self.request.user))
            .select_related("provider")
            .prefetch_related("shift_patterns", "teams"),
            pk=self.kwargs["pk"],
        )
        return _with_risk_profiles([service])[0]

    def get_context_data(self, **kwargs):
        service = self.object
        people = (
            RoleAssignment.objects.filter(provider=service.provider)
            .filter(service=service)
            .exclude(role=Role.COMMISSIONER)
            .select_related("user")
            .order_by("role")
        )
        history = recent_changes(service)
        return super().get_context_data(people=people, history=history, **kwargs)
