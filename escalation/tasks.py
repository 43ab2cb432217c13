"""Thin Celery wrappers: beat calls these every minute (config/settings.py CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.utils import timezone

from . import engine, notifications


@shared_task(name="escalation.tasks.tick")
def tick() -> int:
    """Run the scan now; return how many escalations it raised."""
    return len(engine.tick(timezone.now()).raised)


@shared_task(name="escalation.tasks.send_pending_notifications")
def send_pending_notifications() -> int:
    """E-mail the outbox; return how many rows were sent."""
    return notifications.send_pending(timezone.now())
