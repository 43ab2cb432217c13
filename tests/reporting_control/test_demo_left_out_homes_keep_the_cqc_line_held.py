"""The tester's own steps on the demo: the quality director leaves the two unverified homes out of the
Elm House fall's learning after it was issued, and the compliance manager checks the CQC update's
evidence again and adds a line naming one of them. Neither line reads "Evidenced"."""

from io import StringIO

import pytest
from django.core.management import call_command

from learning_transfer.services import adjust_match
from providers.choices import Role
from providers.models import RoleAssignment
from reporting_control import services
from reporting_control.choices import Audience, LineKind, LineState
from reporting_control.models import ReportingUpdate

pytestmark = pytest.mark.django_db

REASON = "Not comparable after review"


def holder(provider, role):
    return RoleAssignment.objects.filter(provider=provider, role=role).select_related("user").first().user


def test_leaving_out_unverified_homes_after_issue_evidences_no_line(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", days=7, stdout=StringIO())
    update = ReportingUpdate.objects.get(audience=Audience.REGULATOR)
    trigger = update.triggers.get()
    provider = update.provider
    unverified = list(
        trigger.matches.filter(included=True, implementation_confirmed_at__isnull=True)
        .select_related("service")
        .order_by("service__name")
    )
    assert [m.service.name for m in unverified] == ["Ash Grove", "Hawthorn House"]
    assert all(m.first_notice_at is not None for m in unverified)  # the learning went out to them

    for match in unverified:
        adjust_match(trigger, match.service, False, REASON, by=holder(provider, Role.QUALITY_DIRECTOR))
    compliance = holder(provider, Role.COMPLIANCE_MANAGER)
    services.check_evidence(update, by=compliance)
    ash_grove = provider.services.get(name="Ash Grove")
    named = services.add_line(
        update,
        by=compliance,
        claim="Shared learning from the Elm House fall is complete at Ash Grove.",
        kind=LineKind.NAMED_SERVICE,
        services=[ash_grove],
    )

    provider_wide = update.lines.get(order=1)
    assert provider_wide.state == LineState.LACKING
    assert "Ash Grove was left out of the learning on " in provider_wide.evidence_note
    assert "it still counts for a provider-wide claim and has no verified implementation" in (
        provider_wide.evidence_note
    )
    print(provider_wide.evidence_note, named.evidence_note, sep="\n")
    assert named.state == LineState.LACKING
    assert f": {REASON}; it has no verified implementation" in named.evidence_note
