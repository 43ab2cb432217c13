"""The organisation's business actions: what a provider administrator changes about their provider.

Each action checks its own permission (`providers/permissions.py`) and records who made the change
and why in the record's history.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.forms import too_long

from .actions import AlreadyDone, change_once, lock
from .choices import Role
from .models import (
    REASON_MAX_LENGTH,
    REASON_TOO_LONG,
    Provider,
    Region,
    RoleAssignment,
    Service,
    User,
)
from .permissions import require_perm
from .waiting_work import WaitingList, waiting_on
from .who_acts import join_and

# The shortest working day: deadlines are counted in working hours, so a day of a minute or two would
# stretch "2 working hours" over months and nothing would ever escalate.
SHORTEST_WORKING_DAY = timedelta(hours=1)
# The remove-a-role form's checkbox, and the service's argument, that says "remove anyway".
REMOVE_ANYWAY = "remove_anyway"


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
    refuse_short_working_day(start, end)
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


def refuse_short_working_day(start: time, end: time) -> None:
    """Refuse (on `end`) a working day shorter than SHORTEST_WORKING_DAY, saying how long it is. A day
    that does not end after it starts is the form's and WorkingHours' to refuse."""
    length = datetime.combine(date.min, end) - datetime.combine(date.min, start)
    if timedelta(0) < length < SHORTEST_WORKING_DAY:
        minutes = length // timedelta(minutes=1)
        said = "1 minute" if minutes == 1 else f"{minutes} minutes"
        raise ValidationError(
            {"end": f"A working day must be at least 1 hour long: {start:%H:%M} to {end:%H:%M} is {said}."}
        )


def people_of(provider: Provider):
    """The people its administrator looks after: everyone holding a role at the provider now, and
    everyone who held a staff role there and holds none now ("No role now"), who keeps their account
    and history and can be given a role again. A past commissioner is the platform operators' to set
    up again, so is not among them."""
    held_before = RoleAssignment.history.filter(provider_id=provider.pk).exclude(role=Role.COMMISSIONER)
    return (
        User.objects.filter(Q(role_assignments__provider=provider) | Q(pk__in=held_before.values("user_id")))
        .distinct()
        .order_by("last_name", "first_name", "username")
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


BACK_ON_FIRST = "Switch their sign-in back on first: a switched-off person cannot use a role."


def refuse_switched_off(person: User) -> None:
    """Refuse (on `person`) a role for someone whose sign-in is switched off (`sign_in.switch_off`):
    they must be switched back on first, with its own reason in the history."""
    if not person.is_active:
        raise ValidationError({"person": f"{person}'s sign-in is switched off. {BACK_ON_FIRST}"})


def _assign(provider, *, by, person, role, reason, region, service) -> RoleAssignment:
    """Record the role at its scope (validated against the role and the provider), with who and why.
    The person's row is locked first, so a role given as their sign-in is switched off is refused."""
    if role == Role.COMMISSIONER:
        raise ValidationError({"role": "Commissioners are set up by the platform's operators."})
    assignment = RoleAssignment(user=person, role=role, provider=provider, region=region, service=service)
    assignment.clean()  # the scope matches the role and belongs to the provider
    managed = _lock_managed_service(assignment)
    if person.pk is not None:
        refuse_switched_off(User.objects.select_for_update().get(pk=person.pk))
    already = ValidationError(
        f"{person} already holds {assignment.get_role_display()} for {assignment.scope_label}."
    )
    same = RoleAssignment.objects.select_for_update().filter(
        user=person, role=role, provider=provider, region=region, service=service
    )
    if same.exists():
        raise already
    assignment._history_user = by
    assignment._change_reason = reason
    try:
        with transaction.atomic():  # a double submit arriving at once meets the unique constraint
            assignment.save()
    except IntegrityError as exc:
        raise already from exc
    # The registered manager on record is a regulated post: a second holder (cover, a deputy, a new
    # starter) does not replace them; only a service with no one on record takes the new holder.
    if managed is not None and managed.registered_manager_id is None:
        _put_on_record(managed, person, by=by, reason=reason)
    return assignment


def _lock_managed_service(assignment: RoleAssignment) -> Service | None:
    """For a Registered Manager role, its service's row, locked: its manager on record changes with the
    role. Every action locks it before any of the role's assignments, so a give and a remove at once
    queue (the later one sees the earlier one's holders) rather than deadlock. None for other roles."""
    if assignment.role != Role.REGISTERED_MANAGER or not assignment.service_id:
        return None
    return lock(assignment.service)


def _put_on_record(service: Service, person: User | None, *, by, reason: str) -> None:
    """Make `person` (None: no one) the service's registered manager on record, the history naming who
    is on record now, as the history table shows no field's value, then the administrator's reason.
    Nothing changes (no history row) when they already are."""
    if service.registered_manager_id == (person.pk if person else None):
        return
    name = (person.get_full_name() or person.username) if person else "no one"
    change_once(
        service,
        expected={},
        changes={"registered_manager": person},
        by=by,
        reason=f"Registered manager on record now {name}: {reason}",
        refusal="",
    )


# The form's box that says the person added is someone else than one of the same name already there.
SAME_NAME_ANYWAY = "same_name_anyway"


def add_person(
    provider: Provider,
    *,
    by,
    details: dict,
    role: str,
    reason: str,
    region=None,
    service=None,
    same_name_anyway: bool = False,
) -> User:
    """Add a person to the provider with their first role, the reason kept in the history.

    `details` are the person's names, username, e-mail and job title. They have no password until they
    set one through the link `password_link` makes. Only the provider's administrator may. A name one
    of the provider's people has already is refused, naming them, unless `same_name_anyway` says the
    person is someone else (found: a second account made for the same "Beth Walsh", unasked).
    """
    require_perm(by, "providers.administer_provider", provider)
    reason = given_reason(reason)
    with transaction.atomic():
        taken = User.objects.filter(username__iexact=details["username"]).first()
        if taken is not None:
            raise ValidationError({"username": _taken(provider, taken)})
        # Escalations and notices are e-mailed: two people sharing an address would read each other's.
        shared = User.objects.filter(email__iexact=details["email"]).exclude(email="").first()
        if shared is not None:
            raise ValidationError({"email": _address_taken(provider, shared)})
        if not same_name_anyway:  # after the sign-in's checks: a username of theirs says who it is
            _refuse_a_name_already_there(provider, details)
        person = User(**details)
        person.set_unusable_password()
        person._history_user = by
        person._change_reason = reason
        person.save()
        _assign(provider, by=by, person=person, role=role, reason=reason, region=region, service=service)
    return person


def _refuse_a_name_already_there(provider: Provider, details: dict) -> None:
    """Refuse a new person named as one of the provider's people is, naming each with their username
    and roles, so the administrator can tell whether it is them (given a role on their own page)."""
    same = people_of(provider).filter(
        first_name__iexact=details["first_name"].strip(), last_name__iexact=details["last_name"].strip()
    )
    named = [
        f"{person} is already one of your people ({person.username}"
        + "".join(f", {a.get_role_display()} at {a.scope_label}" for a in person.role_assignments.all())
        + ")"
        for person in same.prefetch_related("role_assignments__service", "role_assignments__region")
    ]
    if named:
        raise ValidationError(
            {
                SAME_NAME_ANYWAY: "; ".join(named)
                + ". If it is them, give them a role on their own page instead; if this is someone else, "
                "tick “They are someone else” and add them."
            }
        )


def _taken(provider: Provider, taken: User) -> str:
    """Why a username cannot be used: one of the provider's own people (perhaps with no role now) is
    given a role on their own page, not added again."""
    if taken.role_assignments.filter(role=Role.COMMISSIONER).exists():
        # Never offered a staff role (found: told to "give them a role from People and roles").
        return (
            f"{taken.username} is the sign-in of a commissioner, set up by the platform's operators. "
            "Choose another username."
        )
    if people_of(provider).filter(pk=taken.pk).exists():
        return (
            f"{taken.username} is {taken}, already one of your people: give them a role from People "
            "and roles instead."
        )
    return "This username is already taken. Choose another."


def _address_taken(provider: Provider, shared: User) -> str:
    """Why an e-mail address cannot be used: it is a colleague's (named, they are the provider's own
    people), or another account's (nobody named: it may be another provider's)."""
    if people_of(provider).filter(pk=shared.pk).exists():
        return (
            f"{shared.email} is the e-mail address of {shared}, already one of your people: each person "
            "needs an address of their own, so what is sent to them reaches them alone."
        )
    return "This e-mail address is already used by another account. Use the person's own address."


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


def _where(assignment: RoleAssignment) -> str:
    """Where a role is held, after its name: "at Elm House", "for the North region", "at Oakwood"."""
    if assignment.service_id:
        return f"at {assignment.service}"
    if assignment.region_id:
        return f"for the {assignment.region} region"
    return f"at {assignment.provider}"


@dataclass(frozen=True)
class OnlyHolder:
    """A person who is the only one holding a role where they hold it, and the work that would wait
    on nobody once it is removed: one list per kind (steps to record, escalations to answer), each
    naming the first few and counting the rest."""

    person: User
    role_label: str
    where: str
    waiting: list[WaitingList]
    cannot_sign_in: tuple[str, ...] = ()  # others holding it there who have not set a password yet

    def __str__(self) -> str:
        if not self.cannot_sign_in:
            return f"{self.person} is the only {self.role_label} {self.where}."
        others = join_and(list(self.cannot_sign_in))
        holds, has = ("holds", "has") if len(self.cannot_sign_in) == 1 else ("hold", "have")
        return (
            f"{self.person} is the only {self.role_label} {self.where} who can sign in: {others} {holds} "
            f"it too but {has} not set a password yet."
        )


class OnlyHolderLeft(ValidationError):
    """Removing the role would leave nobody holding it there: the form comes back asking to remove
    anyway."""

    def __init__(self, holder: OnlyHolder):
        super().__init__(
            {
                REMOVE_ANYWAY: (
                    f"{holder} Give the role to someone else first, or tick “Remove anyway” to remove it."
                )
            }
        )
        self.holder = holder


def _role_there(assignment: RoleAssignment):
    """The assignment itself and the active holders of its role at its very scope (each role is held
    at one level, so they are the only other people whose role reaches the same places)."""
    return RoleAssignment.objects.filter(
        Q(user__is_active=True) | Q(pk=assignment.pk),
        role=assignment.role,
        provider_id=assignment.provider_id,
        region_id=assignment.region_id,
        service_id=assignment.service_id,
    )


def _same_role_there(assignment: RoleAssignment):
    """The active holders of the assignment's role at its very scope, the assignment itself not among
    them."""
    return _role_there(assignment).exclude(pk=assignment.pk)


def only_holder(assignment: RoleAssignment) -> OnlyHolder | None:
    """When the assignment's holder is the only one holding its role where it is held: who, and the
    work waiting on the role there (`waiting_work`); None when someone else holds it too, or for a
    commissioner, whose role records nothing. A fixed number of queries however much is waiting."""
    if assignment.role == Role.COMMISSIONER:
        return None
    # A holder who has not set a password yet (an unused set-password link) cannot act on anything.
    others = list(_same_role_there(assignment).select_related("user"))
    if any(other.user.has_usable_password() for other in others):
        return None
    return OnlyHolder(
        assignment.user,
        assignment.get_role_display(),
        _where(assignment),
        waiting_on(assignment),
        tuple(str(other.user) for other in others),
    )


def remove_role(assignment: RoleAssignment, *, by, reason: str, remove_anyway: bool = False) -> None:
    """Take a role away from a person, with the reason; it stops working at their next request.

    Only the provider's administrator may. The provider's last administrator is never removed, so
    someone can always look after its people. Removing a role from the only person holding it where
    they hold it is refused (`OnlyHolderLeft`) unless `remove_anyway`: the work waiting on it would
    have nobody to record it.
    """
    require_perm(by, "providers.administer_provider", assignment.provider)
    reason = given_reason(reason)
    with transaction.atomic():
        managed = _lock_managed_service(assignment)
        # Every holder of the role there is locked, this one among them, in one statement and in one
        # order: two administrators removing two of its holders at once then queue, and the second
        # sees the first's removal, instead of each locking its own row and waiting for the other's
        # (a deadlock). Only the assignments are locked (the default ordering's joins would lock the
        # provider and people too).
        holders = list(_role_there(assignment).select_for_update(of=("self",)).order_by("pk"))
        row = next((holder for holder in holders if holder.pk == assignment.pk), None)
        if row is None:
            raise ValidationError("This role was removed meanwhile.")
        others = [holder for holder in holders if holder.pk != row.pk]
        if row.role == Role.PROVIDER_ADMINISTRATOR and not others:
            raise ValidationError(
                "This is the provider's last provider administrator. Give the role to someone else first."
            )
        if not remove_anyway:  # only_holder counts only the others who can sign in
            holder = only_holder(assignment)
            if holder is not None:
                raise OnlyHolderLeft(holder)
        row._history_user = by
        row._change_reason = reason
        row.delete()
        if managed is not None and managed.registered_manager_id == row.user_id:
            # The longest-standing other holder (the earliest given, so the lowest id) takes over.
            _put_on_record(managed, others[0].user if others else None, by=by, reason=reason)
