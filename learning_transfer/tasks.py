"""Celery tasks: thin wrappers around the business actions."""

from celery import shared_task

from config.background import TASK_OPTIONS

from .models import ImportJob
from .services.incidents import run_import_job


@shared_task(name=ImportJob.task_name, **TASK_OPTIONS)
def run_import(job_id: int) -> None:
    """Import a large uploaded file, writing progress to its ImportJob. Safe to deliver twice: only a
    queued job starts (a worker killed mid-import leaves it to the sweeper, which queues it again)."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        run_import_job(job)
