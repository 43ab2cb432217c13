"""Two people open the same update; the first holds, lifts or releases it. The second's submit, made
from the page as they loaded it, changes nothing and says why."""

import pytest
from django.core.exceptions import ValidationError

from reporting_control import services
from reporting_control.models import IssueHold, ReportingUpdate

pytestmark = pytest.mark.django_db


def pages(update) -> tuple[ReportingUpdate, ReportingUpdate]:
    return ReportingUpdate.objects.get(pk=update.pk), ReportingUpdate.objects.get(pk=update.pk)


def test_a_hold_placed_from_an_older_page_is_refused(evidenced_update, compliance_manager):
    first, second = pages(evidenced_update)
    services.place_hold(first, by=compliance_manager, reason="Figures disputed.")
    with pytest.raises(ValidationError, match="already held"):
        services.place_hold(second, by=compliance_manager, reason="Figures disputed.")
    assert IssueHold.objects.filter(update=evidenced_update).count() == 1


def test_a_lift_from_an_older_page_is_refused(evidenced_update, compliance_manager, provider_director):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Figures disputed.")
    first, second = pages(evidenced_update)
    services.lift_hold(first, by=provider_director, reason="Reconciled.")
    with pytest.raises(ValidationError, match="not held"):
        services.lift_hold(second, by=provider_director, reason="Reconciled.")
    [hold] = IssueHold.objects.filter(update=evidenced_update)
    assert hold.history.filter(history_change_reason="Hold lifted").count() == 1


def test_a_hold_from_an_older_page_after_release_is_refused(
    evidenced_update, compliance_manager, provider_director
):
    first, second = pages(evidenced_update)
    assert services.release_update(first, by=provider_director) is True
    with pytest.raises(ValidationError, match="held or released by someone else"):
        services.place_hold(second, by=compliance_manager, reason="Too late.")
    assert not IssueHold.objects.filter(update=evidenced_update).exists()
