"""What every page's header needs from the engine: unread escalations and whether the engine is alive."""

from django.utils import timezone

from providers.permissions import compiled_once, is_provider_staff

from . import panels
from .engine import HEARTBEAT
from .models import EngineHeartbeat

ENGINE_STALE_AFTER_SECONDS = 5 * 60


def header(request):
    """The header shows both to provider staff only (templates/base.html), so nobody else pays for them:
    a commissioner's every page would otherwise count escalations they can never see."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_provider_staff(user):
        return {}
    return header_summary(user)


def _last_run():
    return EngineHeartbeat.objects.filter(name=HEARTBEAT).values_list("last_finished_at")[:1]


def header_summary(user) -> dict:
    """Unread escalations still open (`panels.unread_count`: each listed under "Yours to do") and the
    engine's health for the page header (two queries, whose SQL is kept: every staff page asks them)."""
    beat = compiled_once(None, "the engine's last run", _last_run).tuples()
    last_run = beat[0][0] if beat else None
    stale = last_run is None or (timezone.now() - last_run).total_seconds() > ENGINE_STALE_AFTER_SECONDS
    return {
        "unread_escalations": panels.unread_count(user) if user.is_authenticated else 0,
        "engine_stale": stale,
        "engine_last_run": last_run,
    }
