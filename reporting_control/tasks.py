"""Celery tasks: thin wrappers around the business actions."""

from celery import shared_task

from .choices import PackStatus
from .models import EvidencePack
from .packs import build_pack


@shared_task(name="reporting_control.tasks.build_evidence_pack", ignore_result=True)
def build_evidence_pack(pack_id: int) -> None:
    """Render an update's PDF evidence pack, writing progress to its EvidencePack row."""
    pack = EvidencePack.objects.select_related("update").filter(pk=pack_id).first()
    if pack is not None and pack.status == PackStatus.QUEUED:
        build_pack(pack)
