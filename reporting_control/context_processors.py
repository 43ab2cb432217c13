"""What every page's menu needs from reporting: whether the person may open the updates at all."""

from providers.permissions import is_provider_staff, providers_where


def header(request):
    """The menu offers Reporting only to those who may read an update of their provider (its
    provider-level staff): service and regional staff would follow it to a refusal."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_provider_staff(user):
        return {}
    return {"nav_reads_updates": bool(providers_where(user, "reporting_control.read_updates"))}
