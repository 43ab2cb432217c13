"""Building a PDF evidence pack: render the update as HTML, convert it with WeasyPrint, hash it.

A commissioner's pack is the same document cut down to the services that commissioner commissions.
A pack of a released update is built from what its pack said at release (`keep_released_content`).

Progress is saved on the EvidencePack row at each stage, so the page polling it shows how far it got.
"""

import contextlib
import hashlib
import logging

from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from config import background
from providers.models import Commissioner
from providers.templatetags.nhsuk import london

from .choices import PackStatus
from .models import ReleasedPackContent
from .pack_content import pack_content

logger = logging.getLogger(__name__)


def commissioners_of(update) -> QuerySet[Commissioner]:
    """The commissioners of the services the update covers: each receives its own pack when it is
    released. A commissioner none of whose services the update covers gets none, even when a line names
    one of its services (`pack_content.covered_for`, the same rule, says why)."""
    return Commissioner.objects.filter(services__reporting_updates=update).distinct().order_by("name")


def keep_released_content(update, now) -> None:
    """Keep what each pack of the update says as it is released (the provider's full pack and one per
    commissioner of the covered services), so every pack built later says what was signed off."""
    for commissioner in [None, *commissioners_of(update)]:
        ReleasedPackContent.objects.get_or_create(
            update=update,
            commissioner=commissioner,
            defaults={"content": pack_content(update, commissioner), "taken_at": now},
        )


def pack_context(update, commissioner: Commissioner | None = None, now=None) -> dict:
    """The pack's content (as released, when it was kept at release; else as the records stand now) and
    the words saying which, with when the pack was built and whom it was prepared for."""
    built_at = london(now or timezone.now())
    kept = None
    if update.released_at:  # only a release keeps content: nothing to look for before it
        kept = ReleasedPackContent.objects.filter(update=update, commissioner=commissioner).first()
    content = kept.content if kept is not None else pack_content(update, commissioner)
    released_at = london(update.released_at)
    if kept is not None:
        built = f"Built {built_at} from the update as released on {released_at}."
    elif released_at:
        built = (
            f"Figures as at {built_at}, after release on {released_at}: "
            "the services or figures may have changed since."
        )
    else:
        built = f"Built {built_at}, before release."
    prepared_for = content["commissioner"] or f"{content['provider']} (the provider's full pack)"
    return {"pack": content, "built": built, "prepared_for": prepared_for}


def render_pack_html(update, commissioner: Commissioner | None = None) -> str:
    """The pack as HTML, ready for WeasyPrint."""
    return render_to_string("reporting_control/pack.html", pack_context(update, commissioner))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time every other page does not need

    return HTML(string=html).write_pdf()


def build_pack(pack) -> None:
    """Build a claimed pack's PDF, store it with its SHA-256, and mark it ready (or failed, with why).

    Each stage is a heartbeat, so the sweeper sees a live build. If the sweeper has given this attempt
    up (its worker only looked dead), the build stops and keeps nothing.
    """
    try:
        background.heartbeat(pack, progress=10)
        html = render_pack_html(pack.update, pack.commissioner)
        background.heartbeat(pack, progress=40)
        pdf = html_to_pdf(html)
        background.heartbeat(pack, progress=90)
        _store(pack, pdf)
    except background.LeaseLost:
        logger.warning("Evidence pack %s was taken over by another attempt; this one stopped.", pack.pk)
    except Exception as error:  # the row must never stay "building" forever: record why it failed
        logger.exception("Evidence pack %s failed", pack.pk)
        with contextlib.suppress(background.LeaseLost):  # another attempt owns it now
            background.finish(pack, PackStatus.FAILED, reason="Failed", failure=str(error)[:1000])


def _store(pack, pdf: bytes) -> None:
    """Save the file and mark the pack ready together: a pack is ready with exactly one file."""
    target = pack.file.field.generate_filename(pack, pack.filename)
    if pack.file.storage.exists(target):  # left by an attempt whose worker died before it was marked
        pack.file.storage.delete(target)
    pack.file.save(pack.filename, ContentFile(pdf), save=False)
    try:
        background.finish(
            pack,
            PackStatus.READY,
            reason="Built",
            progress=100,
            sha256=hashlib.sha256(pdf).hexdigest(),
            file=pack.file.name,
            built_at=timezone.now(),
        )
    except background.LeaseLost:
        pack.file.storage.delete(pack.file.name)
        raise
