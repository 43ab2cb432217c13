"""The learning work one person holds where a role of theirs reaches, which removing that role would
leave to nobody (`providers.waiting_work`): the live learning they lead the implementation of at a
service, the open implementation lines they own there, and the learning notices waiting for their
acknowledgement.

Each is named for the person, not the role: once the role goes they can no longer open it
(`permissions`: being named counts only with a current role reaching the service), and nobody else is
named for it. Work at a service where they keep another role that sees the work is not listed: they
can still act on it."""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from providers.models import RoleAssignment
from providers.permissions import WORK_ROLES
from providers.waiting_work import Waiting

from .choices import CLOSED_STATUSES
from .models import ImplementationLead, ImplementationLine, LearningNotice


def _at_the_assignments_services(assignment, service: str) -> Q:
    """Rows whose service (the path `service`) the assignment's role reaches, at its provider."""
    where = Q(**{f"{service}__provider_id": assignment.provider_id})
    if assignment.service_id:
        return where & Q(**{f"{service}_id": assignment.service_id})
    if assignment.region_id:
        return where & Q(**{f"{service}__region_id": assignment.region_id})
    return where


def _kept_elsewhere(assignment, service: str) -> Exists:
    """Whether the holder keeps another role that sees the work at the row's service (the path
    `service`): the provider's, the service's region's, or the service's own (`permissions.covers`)."""
    return Exists(
        RoleAssignment.objects.filter(
            Q(service__isnull=True, region__isnull=True, provider_id=OuterRef(f"{service}__provider_id"))
            | Q(service__isnull=True, region_id=OuterRef(f"{service}__region_id"))
            | Q(service_id=OuterRef(f"{service}_id")),
            user_id=assignment.user_id,
            role__in=WORK_ROLES,
        ).exclude(pk=assignment.pk)
    )


def _held(queryset, assignment, service: str):
    """Of `queryset`, the rows at the assignment's services where its holder keeps no other role that
    sees the work."""
    return queryset.filter(_at_the_assignments_services(assignment, service)).exclude(
        _kept_elsewhere(assignment, service)
    )


def _first_and_total(queryset, size: int) -> tuple[list, int]:
    """The first `size` rows and how many in all: one query when they are fewer than `size`."""
    rows = list(queryset[:size])
    return rows, (len(rows) if len(rows) < size else queryset.count())


def _learning(match) -> str:
    """The learning and its service, as the page names them: "LT-0002 Falls at night at Rowan Court"."""
    return f"{match.trigger} at {match.service.name}"


def learning_work_waiting_on(assignment, size: int) -> tuple[list[Waiting], int]:
    """The learning work the assignment's holder is named for where its role reaches (module
    docstring): notices to acknowledge, then the learning they lead, then their open lines, each
    kind oldest first; the first `size` in all and how many there are. Three queries, or up to six
    when there are more than `size` of a kind."""
    me = assignment.user_id
    live = ~Q(matched_service__trigger__status__in=CLOSED_STATUSES)
    notices, notices_total = _first_and_total(
        _held(
            LearningNotice.objects.filter(
                live,
                owner_id=me,
                acknowledged_at__isnull=True,
                superseded_at__isnull=True,
                matched_service__included=True,
            ),
            assignment,
            "matched_service__service",
        )
        .select_related("matched_service__trigger", "matched_service__service")
        .order_by("issued_at", "pk"),
        size,
    )
    leads, leads_total = _first_and_total(
        _held(
            ImplementationLead.objects.filter(
                live,
                person_id=me,
                matched_service__included=True,
                matched_service__implementation_confirmed_at__isnull=True,
            ),
            assignment,
            "matched_service__service",
        )
        .select_related("matched_service__trigger", "matched_service__service")
        .order_by("confirmed_at", "pk"),
        size,
    )
    lines, lines_total = _first_and_total(
        _held(
            ImplementationLine.objects.filter(owner_id=me, completed_at__isnull=True).exclude(
                matched_service__trigger__status__in=CLOSED_STATUSES
            ),
            assignment,
            "service",
        )
        .select_related("service", "matched_service__trigger", "matched_service__service")
        .order_by("due_at", "pk"),
        size,
    )
    now = timezone.now()
    waiting = [
        Waiting(
            f"The learning notice of {_learning(n.matched_service)}, waiting for their acknowledgement",
            n.issued_at,
            "issued",
            link=reverse("learning_transfer:match_detail", args=[n.matched_service_id]),
        )
        for n in notices
    ]
    waiting += [
        Waiting(
            f"Implementation lead of {_learning(lead.matched_service)}",
            lead.confirmed_at,
            "named",
            link=reverse("learning_transfer:match_detail", args=[lead.matched_service_id]),
        )
        for lead in leads
    ]
    waiting += [_line_waiting(line, now) for line in lines]
    return waiting[:size], notices_total + leads_total + lines_total


def _line_waiting(line: ImplementationLine, now) -> Waiting:
    """An open implementation line they own: its task, its learning and service, and when it was due."""
    match = line.matched_service
    where = _learning(match) if match is not None else line.service.name
    overdue = line.due_at < now
    return Waiting(
        f"Implementation line “{line.task}” for {where}{' (overdue)' if overdue else ''}",
        line.due_at,
        "due",
        link=reverse("learning_transfer:match_detail", args=[match.pk]) if match is not None else "",
    )
