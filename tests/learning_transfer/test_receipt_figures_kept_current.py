"""Each matched service keeps its receipt figures (first notice, first acknowledgement, current notice
and whether it is acknowledged) current on every write of a notice, and the executive summary's figures
follow at once: issuing, acknowledging, redistributing, an operator's edit or delete in the admin, and
the migration that filled them for the notices already stored. Inclusion and verification are read
from the match itself, so they show at once too."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse

from learning_transfer.models import LearningNotice, MatchedService
from learning_transfer.models.triggers import NOTICE_FIGURES
from learning_transfer.services import (
    acknowledge_notice,
    adjust_match,
    issue_notices,
    redistribute,
    update_exposure,
)
from learning_transfer.services.summary import SummaryFilters, executive_summary
from tests.factories import UserFactory

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
LATER = CONFIRMED + timedelta(days=3)


@pytest.fixture
def trigger(log_falls_trigger, managers):
    return log_falls_trigger()


def current_notice(trigger, service):
    return LearningNotice.objects.get(
        matched_service__trigger=trigger, matched_service__service=service, superseded_at=None
    )


def kept() -> dict:
    """The figures each matched service keeps, by match id."""
    return {row[0]: row[1:] for row in MatchedService.objects.values_list("pk", *NOTICE_FIGURES)}


def recounted() -> dict:
    """The same figures worked out the long way from every notice of every round, by match id."""
    figures = {}
    for match in MatchedService.objects.prefetch_related("notices"):
        notices = list(match.notices.all())
        current = [n for n in notices if n.superseded_at is None]
        acknowledged = [n.acknowledged_at for n in notices if n.acknowledged_at]
        figures[match.pk] = (
            min((n.issued_at for n in notices), default=None),
            min(acknowledged, default=None),
            bool(current),
            bool(current and current[0].acknowledged_at),
        )
    return figures


def summary(provider) -> dict:
    figures = executive_summary(provider, SummaryFilters(period="all"), LATER)
    keys = [
        "services_issued",
        "services_received_in_time",
        "notices_current",
        "notices_acknowledged",
    ]
    return {key: figures[key] for key in keys}


def test_issuing_and_acknowledging_keep_the_figures_and_the_summary_current(
    trigger, provider, quality_director, managers, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    assert kept() == recounted()
    assert {figures[0] for figures in kept().values()} == {ISSUED}
    assert summary(provider) == {
        "services_issued": 4,
        "services_received_in_time": 0,
        "notices_current": 4,
        "notices_acknowledged": 0,
    }
    acknowledge_notice(
        current_notice(trigger, falls_provider["ash"]), by=managers["ash"], now=ISSUED + timedelta(hours=1)
    )
    assert kept() == recounted()
    assert summary(provider)["services_received_in_time"] == 1
    assert summary(provider)["notices_acknowledged"] == 1


def test_redistribution_keeps_the_first_notice_as_the_clock_and_counts_the_new_current_notice(
    trigger, provider, quality_director, governance_officer, managers, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    redistribute(trigger, by=governance_officer, now=ISSUED + timedelta(hours=5))
    assert kept() == recounted()
    assert {figures[0] for figures in kept().values()} == {ISSUED}  # round 2 never restarts the clock
    acknowledge_notice(
        current_notice(trigger, falls_provider["beech"]),
        by=managers["beech"],
        now=ISSUED + timedelta(hours=6),
    )
    assert kept() == recounted()
    assert summary(provider) == {
        "services_issued": 4,
        "services_received_in_time": 0,  # received on redistribution: late
        "notices_current": 4,
        "notices_acknowledged": 1,
    }


def test_a_service_added_after_the_issue_keeps_its_own_first_notice(
    trigger, quality_director, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    adjust_match(trigger, falls_provider["ember"], True, "Same night rota", quality_director)
    issue_notices(trigger, by=quality_director, now=ISSUED + timedelta(hours=3))
    assert kept() == recounted()
    ember = MatchedService.objects.get(trigger=trigger, service=falls_provider["ember"])
    assert ember.first_notice_at == ISSUED + timedelta(hours=3)


def test_saving_a_match_read_before_its_notice_changed_does_not_write_old_figures_back(
    trigger, quality_director, managers, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    read_earlier = MatchedService.objects.get(trigger=trigger, service=falls_provider["ash"])
    acknowledge_notice(
        current_notice(trigger, falls_provider["ash"]), by=managers["ash"], now=ISSUED + timedelta(hours=1)
    )
    update_exposure(read_earlier, by=quality_director, briefing_completed_at=ISSUED + timedelta(hours=2))
    assert kept() == recounted()
    read_earlier.refresh_from_db()
    assert read_earlier.current_notice_acknowledged and read_earlier.briefing_completed_at is not None


def test_leaving_out_and_verifying_show_in_the_summary_at_once(
    trigger, provider, quality_director, managers, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    adjust_match(trigger, falls_provider["cedar"], False, "Closed for refurbishment", quality_director)
    # Cedar Court's notice is withdrawn; its receipt still counts, as it was sent the learning.
    assert summary(provider)["services_issued"] == 4 and summary(provider)["notices_current"] == 3
    assert executive_summary(provider, SummaryFilters(period="all"), LATER)["services_receipt_left_out"] == 1
    MatchedService.objects.filter(trigger=trigger, service=falls_provider["ash"]).update(
        implementation_confirmed_at=ISSUED + timedelta(days=1)
    )
    # Judged once implementation is due (72 hours after issue): before it, the unverified are left out.
    due = ISSUED + timedelta(hours=72, minutes=1)
    figures = executive_summary(provider, SummaryFilters(period="all"), due)
    assert figures["avg_confirmation_rate"] == round(100 / 3, 1)
    assert figures["high_risk_lacking_count"] == 1  # Dove Cottage; Ash Grove is verified


def test_an_operators_edit_and_delete_in_the_admin_are_counted(
    client, sign_in, trigger, quality_director, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    sign_in(UserFactory(is_staff=True, is_superuser=True))
    notice = current_notice(trigger, falls_provider["ash"])
    form = {
        "matched_service": notice.matched_service_id,
        "round": 1,
        "owner": notice.owner_id,
        "issued_at_0": "2026-11-13",
        "issued_at_1": "09:00:00",
        "issued_by": quality_director.pk,
        "due_at_0": "2026-11-16",
        "due_at_1": "09:00:00",
        "acknowledged_at_0": "2026-11-13",  # an acknowledgement recorded on paper, entered afterwards
        "acknowledged_at_1": "10:00:00",
        "acknowledged_by": notice.owner_id,
        "superseded_at_0": "",
        "superseded_at_1": "",
        "_save": "Save",
    }
    url = reverse("admin:learning_transfer_learningnotice_change", args=[notice.pk])
    response = client.post(url, form)
    assert response.status_code == 302, response.text[:2000]
    assert kept() == recounted()
    assert MatchedService.objects.get(pk=notice.matched_service_id).current_notice_acknowledged

    gone = current_notice(trigger, falls_provider["beech"])
    url = reverse("admin:learning_transfer_learningnotice_delete", args=[gone.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert kept() == recounted()
    assert kept()[gone.matched_service_id] == (None, None, False, False)


def test_the_migration_fills_the_figures_of_the_notices_already_stored(
    trigger, quality_director, managers, falls_provider, governance_officer
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    acknowledge_notice(
        current_notice(trigger, falls_provider["ash"]), by=managers["ash"], now=ISSUED + timedelta(hours=1)
    )
    redistribute(trigger, by=governance_officer, now=ISSUED + timedelta(hours=5))
    expected = recounted()
    MatchedService.objects.update(  # as the rows stood before the migration added the figures
        first_notice_at=None, first_acknowledged_at=None, has_current_notice=False
    )
    migration = importlib.import_module("learning_transfer.migrations.0016_matched_service_keeps_its_receipt")
    migration.backfill(apps, None)
    assert kept() == expected
