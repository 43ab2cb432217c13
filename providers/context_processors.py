"""What every page's header needs from the organisation: the person's roles and what they may open."""

from . import permissions


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_roles": permissions.roles_held(user),
        "nav_is_staff": permissions.is_provider_staff(user),
        "nav_is_commissioner": permissions.is_commissioner(user),
    }
