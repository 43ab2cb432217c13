"""Thin Celery wrappers: beat calls these every minute (config/settings.py CELERY_BEAT_SCHEDULE).
The outbox's sender is notifications.send_pending_notifications."""

from celery import shared_task
from django.utils import timezone

from config import background

from . import engine, notifications


@shared_task(name="escalation.tasks.tick")
def tick() -> int:
    """Run the scan now; return how many escalations it raised."""
    return engine.tick(timezone.now()).count


@shared_task(name="escalation.tasks.sweep_background_work")
def sweep_background_work() -> dict:
    """Finish what dead workers and a down broker left: imports, evidence packs and e-mails."""
    now = timezone.now()
    counts = background.sweep(now)
    counts["mail_released"] = notifications.release_lost_claims(now)
    return counts
