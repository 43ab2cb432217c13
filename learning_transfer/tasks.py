"""Celery tasks: thin wrappers around the business actions."""

from celery import shared_task

from .models import ImportJob
from .services.incidents import run_import_job


@shared_task(name="learning_transfer.tasks.run_import", ignore_result=True)
def run_import(job_id: int) -> None:
    """Import a large uploaded file, writing progress to its ImportJob."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None and job.is_running:
        run_import_job(job)
