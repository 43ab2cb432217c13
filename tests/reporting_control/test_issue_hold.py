"""An issue hold stops the update until a named person lifts it, with a reason, on the record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reporting_control import services
from reporting_control.choices import UpdateStatus
from reporting_control.models import IssueHold


def test_a_hold_is_placed_and_lifted_with_reasons_and_history(
    evidenced_update, compliance_manager, provider_director
):
    hold = services.place_hold(evidenced_update, by=compliance_manager, reason="Figures disputed by the ICB.")
    evidenced_update.refresh_from_db()
    assert evidenced_update.status == UpdateStatus.HELD

    services.lift_hold(evidenced_update, by=provider_director, reason="Figures reconciled with the ICB.")

    hold.refresh_from_db()
    evidenced_update.refresh_from_db()
    assert hold.lifted_by == provider_director and hold.lift_reason == "Figures reconciled with the ICB."
    assert hold.placed_by == compliance_manager and hold.reason == "Figures disputed by the ICB."
    assert evidenced_update.status == UpdateStatus.DRAFT
    assert [h.history_user for h in hold.history.order_by("history_date")] == [
        compliance_manager,
        provider_director,
    ]


def test_lifting_needs_a_reason(evidenced_update, compliance_manager, provider_director):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Check figures.")
    with pytest.raises(ValidationError) as error:
        services.lift_hold(evidenced_update, by=provider_director, reason="   ")
    assert "reason" in error.value.message_dict


def test_only_a_provider_director_or_nominated_individual_lifts_a_hold(
    evidenced_update, compliance_manager, operations_director
):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Check figures.")
    with pytest.raises(PermissionDenied):
        services.lift_hold(evidenced_update, by=operations_director, reason="Looks fine to me.")


def test_an_update_has_at_most_one_active_hold(evidenced_update, compliance_manager):
    services.place_hold(evidenced_update, by=compliance_manager, reason="First.")
    with pytest.raises(ValidationError):
        services.place_hold(evidenced_update, by=compliance_manager, reason="Second.")
    # The database says so too, whoever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        IssueHold.objects.create(
            update=evidenced_update, reason="Sneaky", placed_by=compliance_manager, placed_at=timezone.now()
        )
