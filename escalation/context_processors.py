"""What every page's header needs from the engine: unread escalations and whether the engine is alive."""

from providers.permissions import is_provider_staff

from .services import header_summary


def header(request):
    """The header shows both to provider staff only (templates/base.html), so nobody else pays for them:
    a commissioner's every page would otherwise count escalations they can never see."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_provider_staff(user):
        return {}
    return header_summary(user)
