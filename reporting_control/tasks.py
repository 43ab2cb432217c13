"""Celery tasks: thin wrappers around the business actions."""

from celery import shared_task

from config.background import TASK_OPTIONS, claim

from .models import EvidencePack
from .packs import build_pack


@shared_task(name=EvidencePack.task_name, **TASK_OPTIONS)
def build_evidence_pack(pack_id: int) -> None:
    """Render an update's PDF evidence pack, writing progress to its EvidencePack row. Safe to deliver
    twice: only a queued pack starts (one whose worker died is queued again by the sweeper)."""
    pack = claim(EvidencePack, pack_id)
    if pack is not None:
        build_pack(pack)
