"""The organisation's business actions: what a provider administrator changes about their provider.

Each action checks its own permission (`providers/permissions.py`) and records who made the change
and why in the record's history.
"""

from collections.abc import Iterable
from datetime import time

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .actions import AlreadyDone
from .choices import Role
from .models import (
    REASON_MAX_LENGTH,
    REASON_TOO_LONG,
    Provider,
    Region,
    RoleAssignment,
    Service,
    User,
    too_long,
)
from .permissions import require_perm


def given_reason(
    reason: str,
    missing: str | None = "Give the reason for the change.",
    field: str = "reason",
    what: str = "",
) -> str:
    """The reason a person gave, without surrounding spaces: refused (on `field`) when there is none
    (unless `missing` is None: optional text such as a step's notes), or when it is longer than
    REASON_MAX_LENGTH, in the words the forms' reason field uses (naming `what`, as `reason_field`
    does). Never cut short: the history keeps it whole."""
    reason = (reason or "").strip()
    if not reason and missing is not None:
        raise ValidationError({field: missing})
    if len(reason) > REASON_MAX_LENGTH:
        message = too_long(what) if what else REASON_TOO_LONG
        sizes = {"limit_value": REASON_MAX_LENGTH, "show_value": len(reason)}
        raise ValidationError({field: message % sizes})
    return reason


def set_working_hours(
    provider: Provider, *, by, start: time, end: time, weekdays: Iterable[int], reason: str
) -> Provider:
    """Set the provider's working day and working weekdays, with the reason (history).

    Only the provider's administrator may. Deadlines already worked out (open cases, notices) keep
    their stored values; deadlines worked out from now on use the new working week. Working hours the
    provider already has (a double submit) change nothing and write no history row: AlreadyDone.
    """
    require_perm(by, "providers.administer_provider", provider)
    reason = given_reason(reason)
    with transaction.atomic():
        row = Provider.objects.select_for_update().get(pk=provider.pk)
        days = sorted({int(day) for day in weekdays})
        stored_days = sorted({int(day) for day in row.working_weekdays.split(",") if day.strip()})
        if (row.working_day_start, row.working_day_end, stored_days) == (start, end, days):
            raise AlreadyDone(f"Nothing changed: these are already the working hours of {row}.", row)
        row.working_day_start, row.working_day_end = start, end
        row.working_weekdays = ",".join(str(day) for day in days)
        try:
            row.working_hours  # noqa: B018 - building it validates the fields together
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        row._history_user = by
        row._change_reason = reason
        row.save(update_fields=["working_day_start", "working_day_end", "working_weekdays"])
    return row


def people_of(provider: Provider):
    """The people who hold a role at the provider now (the people its administrator looks after)."""
    return (
        User.objects.filter(role_assignments__provider=provider).distinct().order_by("last_name", "username")
    )


def give_role(
    provider: Provider,
    *,
    by,
    person: User,
    role: str,
    reason: str,
    region: Region | None = None,
    service: Service | None = None,
) -> RoleAssignment:
    """Give one of the provider's people a staff role at the scope the role is held at, with the reason.

    Only the provider's administrator may, and only with the provider's own people, regions and
    services. The person gains the role at their next request. Nobody gives themselves a role:
    separation of duties means another administrator (or the platform's operators) grants it, so no
    single person can lift their own access to, say, the Nominated Individual's sign-off.
    """
    require_perm(by, "providers.administer_provider", provider)
    reason = given_reason(reason)
    if person.pk == by.pk:
        raise ValidationError(
            {"person": "You cannot give yourself a role. Ask another provider administrator to do it."}
        )
    if not people_of(provider).filter(pk=person.pk).exists():
        raise ValidationError({"person": "Choose one of your provider's people."})
    with transaction.atomic():
        return _assign(
            provider, by=by, person=person, role=role, reason=reason, region=region, service=service
        )


def _assign(provider, *, by, person, role, reason, region, service) -> RoleAssignment:
    """Record the role at its scope (validated against the role and the provider), with who and why."""
    if role == Role.COMMISSIONER:
        raise ValidationError({"role": "Commissioners are set up by the platform's operators."})
    assignment = RoleAssignment(user=person, role=role, provider=provider, region=region, service=service)
    assignment.clean()  # the scope matches the role and belongs to the provider
    same = RoleAssignment.objects.select_for_update().filter(
        user=person, role=role, provider=provider, region=region, service=service
    )
    if same.exists():
        raise ValidationError(
            f"{person} already holds {assignment.get_role_display()} for {assignment.scope_label}."
        )
    assignment._history_user = by
    assignment._change_reason = reason
    assignment.save()
    return assignment


def add_person(
    provider: Provider, *, by, details: dict, role: str, reason: str, region=None, service=None
) -> User:
    """Add a person to the provider with their first role, the reason kept in the history.

    `details` are the person's names, username, e-mail and job title. They have no password until they
    set one through the link `password_link` makes. Only the provider's administrator may.
    """
    require_perm(by, "providers.administer_provider", provider)
    reason = given_reason(reason)
    with transaction.atomic():
        if User.objects.filter(username__iexact=details["username"]).exists():
            raise ValidationError({"username": "This username is already taken. Choose another."})
        person = User(**details)
        person.set_unusable_password()
        person._history_user = by
        person._change_reason = reason
        person.save()
        _assign(provider, by=by, person=person, role=role, reason=reason, region=region, service=service)
    return person


def password_link(request, person: User) -> str:
    """The address where the person chooses their password: it works once, for PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    return request.build_absolute_uri(path)


def remove_role(assignment: RoleAssignment, *, by, reason: str) -> None:
    """Take a role away from a person, with the reason; it stops working at their next request.

    Only the provider's administrator may. The provider's last administrator is never removed, so
    someone can always look after its people.
    """
    require_perm(by, "providers.administer_provider", assignment.provider)
    reason = given_reason(reason)
    with transaction.atomic():
        row = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if row is None:
            raise ValidationError("This role was removed meanwhile.")
        if row.role == Role.PROVIDER_ADMINISTRATOR:
            administrators = RoleAssignment.objects.select_for_update().filter(
                provider_id=row.provider_id, role=Role.PROVIDER_ADMINISTRATOR
            )
            if len(administrators) == 1:
                raise ValidationError(
                    "This is the provider's last provider administrator. Give the role to someone else first."
                )
        row._history_user = by
        row._change_reason = reason
        row.delete()
