"""What a finished import replaced: the care-hours figures a file changed, old → new.

Every rate moves with the care hours under it, so the person who imported a file is shown the figures
it replaced (a wrong month shows at once), read from the history rows the import wrote, whichever
path wrote them (`copy_merge` on PostgreSQL, the ORM elsewhere): the '~' rows by the importer, with the
import's reason, between the job's start and end. One query, however many rows were replaced.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from ..choices import ImportKind, ImportStatus
from ..models import CareHours

# The replaced figures listed on the page; the rest are in each service's care-hours history.
REPLACED_SHOWN = 20


@dataclass(frozen=True)
class ReplacedFigure:
    """One day's care hours at one service, as they were before the import and as it left them."""

    service_name: str
    day: date
    before: str
    after: str


def hours_text(hours: Decimal) -> str:
    """Care hours as a manager reads them, always to two decimal places so a column of them lines up:
    "742.50", "80.00", "1,742.25"."""
    return f"{hours:,.2f}"


def replaced_care_hours(job, limit: int = REPLACED_SHOWN) -> list[ReplacedFigure]:
    """The first `limit` figures the care-hours import `job` replaced, by service name then day."""
    if job.kind != ImportKind.CARE_HOURS or job.status != ImportStatus.SUCCEEDED or not job.updated_count:
        return []
    history = CareHours.history.model.objects
    before = (
        history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("hours")[:1]
    )
    rows = (
        history.filter(
            history_type="~",
            history_user_id=job.created_by_id,
            history_change_reason=job.history_reason,
            history_date__range=(job.created_at, job.finished_at),
            service__provider_id=job.provider_id,
        )
        .annotate(before=Subquery(before))
        .order_by("service__name", "day")
        .values_list("service__name", "day", "before", "hours")[:limit]
    )
    return [
        ReplacedFigure(name, day, hours_text(Decimal(old)), hours_text(new)) for name, day, old, new in rows
    ]
