"""What every page's header needs from the engine: unread escalations and whether the engine is alive."""

from .services import header_summary


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return header_summary(user)
