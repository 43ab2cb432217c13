"""Whether a flagged incident is decided is stored with its flag, so the list awaiting a decision reads
only its own rows. Every way a decision is made, moved or undone keeps it right: a review outcome, a
learning trigger logged from the incident, an operator moving or deleting that trigger in the admin,
and the recounts of imports, manual entry and new thresholds. The migration fills it in for flags
stored before it."""

from datetime import date, datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from learning_transfer.admin import LearningTriggerAdmin
from learning_transfer.choices import CandidateStatus, HarmLevel, IncidentTheme, ReviewOutcome
from learning_transfer.models import LearningTrigger, ReviewFlag, ReviewThresholds
from learning_transfer.services import import_incidents, log_trigger, record_incident, record_review
from learning_transfer.services.review import review_candidates
from learning_transfer.services.rollup import refresh_provider
from tests.factories import UserFactory

from .conftest import LONDON, add_incidents

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=LONDON)
DAY = date(2026, 11, 20)
HEADER = "source_reference,service,occurred_at,theme,harm_level,safeguarding_concern,people_affected"


def listed(user, status=CandidateStatus.AWAITING) -> tuple[list[str], int]:
    """The references on the list (newest first) and its count."""
    candidates, total = review_candidates(user, now=NOW, status=status)
    return [c.incident.source_reference for c in candidates], total


def stored_decided() -> set[str]:
    flags = ReviewFlag.objects.filter(decided=True)
    return set(flags.values_list("incident__source_reference", flat=True))


def review(incident, by):
    record_review(incident, by=by, outcome=ReviewOutcome.LOCAL, reason="Handled locally.", now=NOW)


def trigger_from(incident, by):
    return log_trigger(
        by=by,
        source_service=incident.service,
        source_incident=incident,
        title=f"Serious harm ({incident.source_reference})",
        theme=incident.theme,
        risk_tags=["falls"],
        what_happened="A resident was harmed.",
        confirmed_at=NOW,
        now=NOW,
    )


def test_a_review_outcome_or_a_trigger_takes_the_incident_off_the_list(quality_director, elm_house):
    reviewed, triggered, _ = add_incidents(elm_house, 3, prefix="sev", harm_level=HarmLevel.SEVERE, day=DAY)
    assert listed(quality_director) == (["sev-2", "sev-1", "sev-0"], 3)

    review(reviewed, quality_director)
    trigger_from(triggered, quality_director)

    assert stored_decided() == {"sev-0", "sev-1"}
    assert listed(quality_director) == (["sev-2"], 1)
    assert listed(quality_director, CandidateStatus.REVIEWED) == (["sev-1", "sev-0"], 2)


def test_moving_or_deleting_a_trigger_in_the_admin_moves_the_decision(quality_director, elm_house):
    first, second = add_incidents(elm_house, 2, prefix="sev", harm_level=HarmLevel.SEVERE, day=DAY)
    trigger = trigger_from(first, quality_director)
    operator = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().post("/admin/")
    request.user = operator
    trigger_admin = LearningTriggerAdmin(LearningTrigger, admin.site)

    trigger.source_incident = second  # the operator corrects which incident it came from
    trigger_admin.save_model(request, trigger, form=None, change=True)
    assert listed(quality_director) == (["sev-0"], 1)

    trigger_admin.delete_model(request, trigger)
    assert listed(quality_director) == (["sev-1", "sev-0"], 2)
    assert stored_decided() == set()

    other = trigger_from(first, quality_director)
    trigger_admin.delete_queryset(request, LearningTrigger.objects.filter(pk=other.pk))
    assert listed(quality_director) == (["sev-1", "sev-0"], 2)


def test_new_thresholds_flag_an_incident_already_decided_as_decided(provider, quality_director, elm_house):
    thresholds = ReviewThresholds.objects.create(provider=provider, people_affected=3)
    [incident] = add_incidents(elm_house, 1, prefix="two", people_affected=2, day=DAY)
    trigger_from(incident, quality_director)  # logged although no threshold asked for a review
    assert listed(quality_director, CandidateStatus.ALL) == ([], 0)

    thresholds.people_affected = 2
    thresholds.save()
    refresh_provider(provider)  # as saving the thresholds in the admin does

    assert listed(quality_director) == ([], 0)
    assert listed(quality_director, CandidateStatus.REVIEWED) == (["two-0"], 1)


def test_a_reimport_and_manual_entry_keep_the_decision(
    settings, tmp_path, provider, quality_director, elm_house
):
    settings.MEDIA_ROOT = tmp_path
    where = elm_house.cqc_location_id

    def file(safeguarding):
        lines = [HEADER, f"E-1,{where},2026-11-20 08:00,fall,severe,{safeguarding},1"]
        return SimpleUploadedFile("incidents.csv", "\n".join(lines).encode(), content_type="text/csv")

    import_incidents(file("no"), provider, quality_director)
    [candidate], _ = review_candidates(quality_director, now=NOW)
    review(candidate.incident, quality_director)

    import_incidents(file("yes"), provider, quality_director)  # the same incident, a reason more
    record_incident(
        by=quality_director,
        service=elm_house,
        source_reference="E-2",
        occurred_at=datetime(2026, 11, 20, 9, 0, tzinfo=LONDON),
        theme=IncidentTheme.FALL,
        harm_level=HarmLevel.SEVERE,
    )

    assert listed(quality_director) == (["E-2"], 1)
    [decided], _ = review_candidates(quality_director, now=NOW, status=CandidateStatus.REVIEWED)
    assert decided.incident.source_reference == "E-1"
    assert decided.codes == ["serious_harm", "safeguarding"]


def test_the_migration_marks_the_flags_of_incidents_already_decided(quality_director, elm_house):
    reviewed, triggered, _ = add_incidents(elm_house, 3, prefix="sev", harm_level=HarmLevel.SEVERE, day=DAY)
    review(reviewed, quality_director)
    trigger_from(triggered, quality_director)
    ReviewFlag.objects.update(decided=False)  # as flags stored before the column were

    migration = import_module("learning_transfer.migrations.0017_review_flag_knows_it_is_decided")
    migration.mark_decided(apps, None)

    assert stored_decided() == {"sev-0", "sev-1"}
    assert listed(quality_director) == (["sev-2"], 1)
