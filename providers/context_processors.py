"""What every page's header needs from the organisation: the person's roles and what they may open."""

from . import permissions


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = permissions.roles_held(user)
    return {
        "nav_roles": roles,
        # The work (learning, adoption) is offered only to those who see it: not the administrator alone.
        "nav_sees_work": permissions.does_the_work(user),
        "nav_is_staff": permissions.is_provider_staff(user),
        "nav_is_commissioner": permissions.is_commissioner(user),
    }
