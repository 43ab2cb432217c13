"""What a verification of implementation at a matched service rests on, and its withdrawal.

Verifying needs a confirmed implementation lead, a completed mandatory briefing, and at least one
implementation line with every line done. A verification holds only while those hold: a later change
that undoes one (the briefing blanked or moved after the verification, a new line still to do, a lead
or line removed by an operator, the service left out of the learning and added again) withdraws it in
the same transaction, and its registered manager and whoever verified are e-mailed why. The
withdrawal is a change of the match's own fields, so its history row says who, when and why, and every
reader of `implementation_confirmed_at` (trigger pages, executive summary, downloads, evidence packs) stops
counting the service as verified without knowing about withdrawals at all.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from escalation import notifications
from providers.actions import change_once, lock
from providers.templatetags.nhsuk import london

from ..models import ImplementationLead, MatchedService
from .common import now_or
from .people import registered_manager_now

# The match's fields that say whether it is verified, or why its verification was withdrawn.
VERIFICATION_FIELDS = [
    "implementation_confirmed_at",
    "implementation_confirmed_by",
    "verification_withdrawn_at",
    "verification_withdrawn_because",
]


@dataclass(frozen=True)
class Gap:
    """One thing a verification needs that is missing: in the words of a refusal to verify (`needs`),
    of a withdrawal (`because`) and of the page saying when to verify again (`again_when`)."""

    needs: str
    because: str
    again_when: str


def gaps(match: MatchedService) -> list[Gap]:
    """What the match lacks for its implementation to be (or stay) verified, read from the database;
    empty when everything is in place."""
    found = []
    if not ImplementationLead.objects.filter(matched_service=match).exists():
        found.append(
            Gap(
                "a confirmed implementation lead",
                "no implementation lead is confirmed",
                "an implementation lead is confirmed",
            )
        )
    briefing, verified = match.briefing_completed_at, match.implementation_confirmed_at
    if briefing is None:
        found.append(
            Gap(
                "a completed mandatory briefing",
                "the mandatory briefing is now recorded as incomplete",
                "the mandatory briefing is complete",
            )
        )
    elif verified is not None and briefing > verified:
        # The record now says the briefing was not yet done when the verification was given.
        found.append(
            Gap(
                "a completed mandatory briefing",
                "the mandatory briefing is now recorded as completed after the verification",
                "the mandatory briefing is complete",
            )
        )
    lines = list(match.lines.order_by("due_at", "pk").values_list("task", "completed_at"))
    open_tasks = [task for task, completed_at in lines if completed_at is None]
    if not lines:
        found.append(
            Gap(
                "at least one implementation line",
                "the service has no implementation line",
                "an implementation line is recorded and done",
            )
        )
    elif open_tasks:
        found.append(
            Gap(
                "every implementation line complete",
                _not_done(open_tasks),
                "every implementation line is done",
            )
        )
    return found


def _not_done(tasks: list[str]) -> str:
    """The open lines, named by their tasks, as the reason a verification was withdrawn."""
    quoted = [f"“{task}”" for task in tasks]
    if len(quoted) == 1:
        return f"implementation line {quoted[0]} is not done"
    return f"implementation lines {', '.join(quoted[:-1])} and {quoted[-1]} are not done"


def in_words(parts: list[str]) -> str:
    """Parts joined as a sentence says them: "a", "a and b", "a, b and c" ("" for none)."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def again_when(match: MatchedService) -> str:
    """When the service can be verified again, in words, by what is missing now (which may be more
    or less than what was missing when its verification was withdrawn); "" when it can be now."""
    return in_words([gap.again_when for gap in gaps(match)])


def withdraw_if_undone(match: MatchedService, *, by, now=None, done: str = "") -> bool:
    """Withdraw the match's verification when something it rested on no longer holds, naming why.

    Call it inside the transaction of the change that may have undone it, after saving that change,
    so both are kept or neither. `by` is the person whose change it was, `done` that change in words
    for the people told ("Yusuf Price reopened the line “…”: the reason."). Returns whether it withdrew.
    """
    row = lock(match)  # as saved now; a verification given at the same moment waits for this change
    if row.implementation_confirmed_at is None:
        return False
    found = gaps(row)
    if not found:
        return False
    because = in_words([gap.because for gap in found])
    return withdraw(match, because=because, by=by, now=now, done=done)


def withdraw(match: MatchedService, *, because: str, by, now=None, done: str = "") -> bool:
    """Withdraw the match's verification, if it is verified, `because` (in words, after "because"), on
    the record, and tell the people concerned (`tell_withdrawal`) what was `done` to withdraw it. Call
    it inside the transaction of the change that undid it, after saving that change. Returns whether it
    withdrew."""
    row = lock(match)
    verified_at, verified_by = row.implementation_confirmed_at, row.implementation_confirmed_by
    if verified_at is None:
        return False
    now = now_or(now)
    change_once(
        match,
        expected={"implementation_confirmed_at": verified_at},
        changes={
            "implementation_confirmed_at": None,
            "implementation_confirmed_by": None,
            "verification_withdrawn_at": now,
            "verification_withdrawn_because": because,
        },
        by=by,
        reason=f"Verification withdrawn because {because}",
        at=now,
        refusal="The verification was changed by someone else just now.",
    )
    tell_withdrawal(match, verified_by=verified_by, by=by, done=done, now=now)
    for told in _WITHDRAWAL_LISTENERS:
        told(match)
    return True


# What other apps do once a verification is withdrawn (reporting_control tells whoever answers for an
# update released on it), registered in their AppConfig.ready(): called in the withdrawal's transaction,
# after it is saved, with the match as it now stands.
_WITHDRAWAL_LISTENERS: list = []


def on_withdrawal(listener) -> None:
    """Call `listener(match)` each time a matched service's verification is withdrawn."""
    if listener not in _WITHDRAWAL_LISTENERS:
        _WITHDRAWAL_LISTENERS.append(listener)


def tell_withdrawal(match: MatchedService, *, verified_by, by=None, done: str = "", now) -> None:
    """E-mail the service's registered manager and the person who had verified (when still active)
    that the verification was withdrawn: which service, which learning, who withdrew it by doing what
    (`done`, else a change by `by`), why and what to do next. Not `by`: whose change it was knows. One
    mail a person, greeting them, through the escalation outbox, so it leaves once, after the
    withdrawal commits."""
    service = match.service
    people = [registered_manager_now(service), verified_by]
    people = [
        p
        for i, p in enumerate(people)
        if p is not None and p.is_active and p not in people[:i] and (by is None or p.pk != by.pk)
    ]
    if not people:
        return
    reference = match.trigger.reference
    to_do = again_when(match)
    link = settings.SITE_URL.rstrip("/") + reverse("learning_transfer:match_detail", args=[match.pk])
    because = match.verification_withdrawn_because
    if not done:
        done = f"{by} changed the service's record." if by is not None else "The service's record changed."
    body = [
        done,
        "",
        f"The verification of implementation at {service} for learning {reference} "
        f"({match.trigger.title}) was withdrawn on {london(now)} because {because}.",
        "",
        "The service no longer counts as verified until someone verifies it again.",
        "What to do: "
        + (f"verify again when {to_do}." if to_do else "everything it needs is in place: verify it again."),
        "",
        f"Open the service's page: {link}",
    ]
    subject = f"Verification withdrawn at {service} – learning {reference}"
    notifications.queue_messages(
        [(person, subject, "\n".join([f"Dear {person},", "", *body]), "") for person in people], now=now
    )
