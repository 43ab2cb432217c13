"""Who may sign in: a provider's administrator switches off the sign-in of a leaver who holds no role
now (and back on), and makes a new set-password link for someone who has not chosen a password yet.

Each action checks its own permission (`providers/permissions.py`) and records who acted and why in
the person's history. Commissioners are the platform's operators to set up, so none of this is
offered for them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from .actions import AlreadyDone, lock
from .choices import Role
from .models import Provider, RoleAssignment, User
from .permissions import require_perm
from .services import given_reason, password_link, people_of
from .templatetags.nhsuk import on_at

ADMINISTER = "providers.administer_provider"
COMMISSIONERS = "Commissioners are set up by the platform's operators."
# Written in the history when a new link is made: the earlier one stops working then.
NEW_LINK_REASON = "A new set-password link was made: any earlier link no longer works."


def staff_people_of(provider: Provider):
    """The provider's people its administrator looks after here (`services.people_of`), without its
    commissioners: the platform's operators set those up."""
    commissioners = RoleAssignment.objects.filter(provider=provider, role=Role.COMMISSIONER)
    return people_of(provider).exclude(pk__in=commissioners.values("user_id"))


def why_not_switched_off(provider: Provider, person: User, by) -> str:
    """Why `by` may not switch off the person's sign-in (empty when they may): nobody switches
    themselves off, and someone holding a role anywhere keeps it (the sign-in is theirs everywhere)."""
    if person.pk == by.pk:
        return "You cannot switch off your own sign-in."
    if person.is_superuser:
        return f"{person} is one of the platform's operators: only the operators switch off their sign-in."
    held = RoleAssignment.objects.filter(user=person)
    if held.filter(provider=provider).exists():
        return f"{person} still holds a role here: remove their roles first."
    if held.exists():
        return f"{person} holds a role at another provider, so their sign-in stays on."
    return ""


def why_no_new_link(person: User, by) -> str:
    """Why `by` may not make the person a new set-password link (empty when they may). A link sets a
    password: making one for someone who has chosen theirs would let the administrator sign in as them."""
    if person.pk == by.pk:
        return "You cannot make a set-password link for yourself."
    if not person.is_active:
        return f"{person}'s sign-in is switched off. Switch it back on first."
    if person.has_usable_password():
        return f"{person} has already chosen their password, so no link is needed."
    return ""


def switch_off(provider: Provider, person: User, *, by, reason: str) -> User:
    """Switch off the sign-in of one of the provider's people who holds no role now, with the reason.

    They are signed out at their next page and cannot sign in again; their account and history are
    kept. Only the provider's administrator may. Already switched off (a double submit): AlreadyDone,
    and no history row."""
    return _switch(provider, person, by=by, reason=reason, on=False)


def switch_on(provider: Provider, person: User, *, by, reason: str) -> User:
    """Switch a switched-off person's sign-in back on, with the reason; they may then be given a role.
    Only the provider's administrator may. Already on (a double submit): AlreadyDone."""
    return _switch(provider, person, by=by, reason=reason, on=True)


def _switch(provider: Provider, person: User, *, by, reason: str, on: bool) -> User:
    """Set the person's `is_active` to `on` once, the row locked so two submits at once change it once."""
    require_perm(by, ADMINISTER, provider)
    reason = given_reason(reason)
    with transaction.atomic():
        _refuse_outsider(provider, person)
        row = lock(person)
        if row.is_active == on:
            raise AlreadyDone(_already(row, on), row)
        refusal = "" if on else why_not_switched_off(provider, row, by)
        if refusal:
            raise ValidationError(refusal)
        row.is_active = on
        _save_with_history(row, by, reason, "is_active")
    return row


def _already(person: User, on: bool) -> str:
    """What a second press says: who switched the sign-in on or off, and when (found: a double click
    showed only "Nothing changed", as if the first press had failed)."""
    state = "on" if on else "switched off"
    # The newest row where it became so: the rows since (a new set-password link) changed something else.
    rows = list(person.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])
    switched = next(
        (row for row, before in zip(rows, rows[1:], strict=False) if before.is_active != row.is_active),
        None,
    )
    by = f", by {switched.history_user} {on_at(switched.history_date)}" if switched else ""
    return f"{person}'s sign-in is already {state}{by}: nothing more to do."


def new_password_link(request, provider: Provider, person: User, *, by) -> str:
    """A new link where someone who has not chosen a password yet chooses one, for their administrator
    to pass on. Any earlier link stops working (their unusable password is drawn afresh, and a link
    is bound to it), and the history says who made it. Only the provider's administrator may."""
    require_perm(by, ADMINISTER, provider)
    with transaction.atomic():
        _refuse_outsider(provider, person)
        row = lock(person)
        refusal = why_no_new_link(row, by)
        if refusal:
            raise ValidationError(refusal)
        row.set_unusable_password()
        _save_with_history(row, by, NEW_LINK_REASON, "password")
    return password_link(request, row)


def _refuse_outsider(provider: Provider, person: User) -> None:
    """Refuse anyone who is not one of the provider's staff people (a commissioner is the operators')."""
    if not staff_people_of(provider).filter(pk=person.pk).exists():
        raise ValidationError("Choose one of your provider's people.")


def _save_with_history(row: User, by, reason: str, field: str) -> None:
    """Save the one changed field, writing the person's history row with who and why."""
    row._history_user = by
    row._change_reason = reason
    row.save(update_fields=[field])
