"""Telling the people who answer for a released update that a verification its lines rested on was
withdrawn after release: whoever released it and the provider's Compliance Manager(s).

Chain A withdraws a verification on its own records (learning_transfer/services/verification.py); this
module is told of each withdrawal (`verification.on_withdrawal`, registered in the app's ready())
and queues one mail per person, per withdrawal and per released update through the escalation outbox,
in the withdrawal's own transaction: it leaves after the withdrawal commits, and not at all if it is
undone. The outbox keeps one row per person and `about`, so the same withdrawal never mails twice.
"""

from django.conf import settings
from django.urls import reverse

from escalation import notifications
from learning_transfer.models import MatchedService
from providers.choices import Role
from providers.models import RoleAssignment
from providers.templatetags.nhsuk import on_at

from .choices import UpdateStatus
from .models import ReportingLine, ReportingUpdate
from .since_release import withdrawn_since_release

# What a mail is about: "released_evidence_withdrawn:<update>:<match>:<withdrawal time>". Written when
# queued (the kind is not composed again as it leaves): the withdrawal it reports does not change.
KIND = "released_evidence_withdrawn"


def tell_withdrawal_since_release(match: MatchedService) -> None:
    """Queue the mails about the match's withdrawal (at `verification_withdrawn_at`) for every update
    released before it whose evidenced lines rested on the match's verification."""
    withdrawn_at = match.verification_withdrawn_at
    updates = list(
        ReportingUpdate.objects.filter(
            triggers=match.trigger_id, status=UpdateStatus.RELEASED, released_at__lt=withdrawn_at
        )
        .select_related("provider", "released_by")
        .distinct()
    )
    found = withdrawn_since_release(updates)
    messages = []
    for update in updates:
        said = [
            (line_id, withdrawal)
            for line_id, withdrawals in found.get(update.pk, {}).items()
            for withdrawal in withdrawals
            if withdrawal.match_id == match.pk and withdrawal.at == withdrawn_at
        ]
        if not said:
            continue
        subject, body = words(update, said)
        about = f"{KIND}:{update.pk}:{match.pk}:{int(withdrawn_at.timestamp())}"
        messages += [(person, subject, body, about) for person in answering_for(update)]
    if messages:
        notifications.queue_messages(messages, now=withdrawn_at)


def answering_for(update: ReportingUpdate) -> list:
    """The active people who answer for a released update: who released it, then the provider's
    Compliance Manager(s), each once."""
    people = [update.released_by] if update.released_by else []
    managers = RoleAssignment.objects.filter(
        provider_id=update.provider_id, role=Role.COMPLIANCE_MANAGER, user__is_active=True
    ).select_related("user")
    people += [assignment.user for assignment in managers.order_by("user__username")]
    return [p for i, p in enumerate(people) if p.is_active and p not in people[:i]]


def words(update: ReportingUpdate, said: list) -> tuple[str, str]:
    """(subject, body) of the mail about one withdrawal's lines of one released update."""
    orders = dict(
        ReportingLine.objects.filter(pk__in=[line_id for line_id, _ in said]).values_list("pk", "order")
    )
    service, match_id = said[0][1].service, said[0][1].match_id
    site = settings.SITE_URL.rstrip("/")
    match_url = reverse("learning_transfer:match_detail", args=[match_id])
    body = [
        f"{update.reference} ({update.title}) was released {on_at(update.released_at)}.",
        "",
        *[f"Line {orders.get(line_id, '?')}: {withdrawal.words}" for line_id, withdrawal in said],
        "",
        "The released packs stay as they were released: nothing has been sent to anyone.",
        "What to do: decide whether the commissioners holding the pack need to be told, "
        "and whether the service should be verified again.",
        "",
        f"Open the update: {site}{update.get_absolute_url()}",
        f"Open the service's learning record: {site}{match_url}",
    ]
    return f"Evidence withdrawn since release: {update.reference} – {service}", "\n".join(body)
