"""Removing a registered manager's role: the warning names the learning work they hold at the service
(the learning they lead, their open implementation lines, the notices waiting for their
acknowledgement), which nobody could act on after; names each place once; and unfolds "and N more"."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from adoption import chain as adoption_chain
from adoption import services as adoption
from escalation.choices import EscalationKind
from escalation.raising import EscalationSpec, raise_escalations
from learning_transfer import chain as learning_chain
from learning_transfer.models import ImplementationLead, ImplementationLine, LearningNotice, MatchedService
from learning_transfer.services.notices import refresh_notice_figures
from providers.calendar import LONDON
from providers.choices import Role
from tests.factories import ShiftPatternFactory, falls_trigger, give_role, person_with_role

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 09:30 in London: an ordinary working morning.
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


@pytest.fixture
def rosa(elm_house):
    """Elm House's only registered manager."""
    return person_with_role(
        Role.REGISTERED_MANAGER, service=elm_house, username="rm.elm", first_name="Rosa", last_name="Quinn"
    )


@pytest.fixture
def learning(provider, elm_house, birch_lodge, quality_director, rosa):
    """Learning issued to Elm House: Rosa owns its notice (not acknowledged), leads its implementation
    and owns an overdue line."""
    trigger = falls_trigger(provider, birch_lodge, quality_director, days_ago=3)
    trigger.status = "issued"
    trigger.learning_statement = "Night checks follow the falls-risk plan."
    trigger.notices_issued_at = NOW - timedelta(days=2)
    trigger.save()
    learning_chain.start(trigger, quality_director)
    match = MatchedService.objects.create(trigger=trigger, service=elm_house, included=True)
    LearningNotice.objects.create(
        matched_service=match,
        owner=rosa,
        issued_at=NOW - timedelta(days=2),
        issued_by=quality_director,
        due_at=NOW + timedelta(days=5),
    )
    ImplementationLead.objects.create(
        matched_service=match, person=rosa, confirmed_at=NOW - timedelta(days=1), confirmed_by=rosa
    )
    ImplementationLine.objects.create(
        service=elm_house,
        matched_service=match,
        task="Re-brief the night team",
        owner=rosa,
        due_at=NOW - timedelta(hours=3),
        created_by=rosa,
    )
    return match


def remove_url(person) -> str:
    return reverse("role_remove", args=[person.role_assignments.get().pk])


def test_the_warning_names_the_learning_work_they_hold(client, sign_in, administrator, rosa, learning):
    reference = learning.trigger.reference
    sign_in(administrator)
    page = client.get(remove_url(rosa)).text
    assert "Rosa Quinn is the only Registered Manager at Elm House." in page
    assert "After this, nobody can act on the learning work they hold:" in page
    assert f"Implementation lead of {reference} Unwitnessed fall at night at Elm House" in page
    assert f"Implementation line “Re-brief the night team” for {reference}" in page
    assert "(overdue)" in page
    assert f"The learning notice of {reference} Unwitnessed fall at night at Elm House, waiting for" in page


def test_work_they_can_still_act_on_through_another_role_is_not_named(
    client, sign_in, administrator, rosa, learning, elm_house
):
    give_role(rosa, Role.CLINICAL_LEAD, service=elm_house)
    sign_in(administrator)
    page = client.get(
        reverse("role_remove", args=[rosa.role_assignments.get(role=Role.REGISTERED_MANAGER).pk])
    )
    assert "Rosa Quinn is the only Registered Manager at Elm House." in page.text
    assert "learning work they hold" not in page.text


def test_done_or_closed_learning_work_is_not_named(client, sign_in, administrator, rosa, learning):
    LearningNotice.objects.update(acknowledged_at=NOW, acknowledged_by=rosa)
    ImplementationLine.objects.update(completed_at=NOW, completed_by=rosa)
    MatchedService.objects.update(implementation_confirmed_at=NOW)
    sign_in(administrator)
    page = client.get(remove_url(rosa)).text
    assert "learning work they hold" not in page


def test_and_more_unfolds_to_list_them_up_to_fifty(client, sign_in, administrator, rosa, learning, elm_house):
    for number in range(60):
        ImplementationLine.objects.create(
            service=elm_house,
            matched_service=learning,
            task=f"Task {number:02}",
            owner=rosa,
            due_at=NOW + timedelta(days=1, minutes=number),
            created_by=rosa,
        )
    sign_in(administrator)
    page = client.get(remove_url(rosa)).text
    # 63 in all: the notice, the lead and the first three lines named; 45 more unfold; 13 counted.
    assert '<span class="nhsuk-details__summary-text">and 58 more</span>' in page
    assert "“Task 00”" in page and "“Task 46”" in page
    assert "“Task 47”" not in page
    assert "and 13 more not listed here." in page


def test_the_learning_work_reads_the_database_as_often_for_many_as_for_one(
    client, sign_in, administrator, rosa, learning, elm_house, django_assert_max_num_queries
):
    sign_in(administrator)
    url = remove_url(rosa)
    client.get(url)  # the session and the kept scopes, once
    with django_assert_max_num_queries(100) as one:
        client.get(url)
    for number in range(30):
        ImplementationLine.objects.create(
            service=elm_house,
            matched_service=learning,
            task=f"Task {number:02}",
            owner=rosa,
            due_at=NOW + timedelta(days=1, minutes=number),
            created_by=rosa,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


@pytest.fixture
def overdue_check_escalation(learning, rosa, elm_house):
    """Learning live at Elm House (chain B, "LT-… at Elm House") and its first check's escalation to
    the registered manager (learning is deployed once received: Rosa acknowledged its notice)."""
    LearningNotice.objects.filter(matched_service=learning).update(
        acknowledged_at=NOW - timedelta(days=1), acknowledged_by=rosa
    )
    refresh_notice_figures([learning.pk])  # as every writer of a notice does
    learning.refresh_from_db()
    for name, start, end in (
        ("early", "07:00", "15:00"),
        ("late", "14:00", "22:00"),
        ("night", "21:30", "07:30"),
    ):
        ShiftPatternFactory(service=elm_house, name=name, start=start, end=end)
    deployment = adoption.deploy_learning(
        learning,
        by=rosa,
        deployed_at=NOW - timedelta(hours=20),
        baseline_completion_pct=80,
        baseline_omissions_per_100=2,
        baseline_wound_care_pct=88,
        baseline_risk_note_pct=90,
        baseline_drill_pct=85,
        deploy_anyway=True,
    )
    b1 = adoption_chain.run_for(deployment).step_runs.filter(code="B1").order_by("due_at").first()
    [escalation] = raise_escalations(
        [
            EscalationSpec(
                step_run=b1,
                kind=EscalationKind.OVERDUE,
                target_role=Role.REGISTERED_MANAGER,
                reason="Not recorded",
                action="Record the check.",
                window=Decimal(1),
                occurred_at=NOW - timedelta(hours=1),
                service=elm_house,
            )
        ],
        NOW - timedelta(hours=1),
    )
    return escalation


def test_an_escalation_names_its_service_once_without_a_link_the_administrator_cannot_open(
    client, sign_in, administrator, rosa, learning, overdue_check_escalation
):
    reference = overdue_check_escalation.chain_run.subject_label
    assert reference.endswith(" at Elm House")
    sign_in(administrator)
    page = client.get(remove_url(rosa)).text
    assert "After this, nobody can answer these open escalations:" in page
    assert f"step overdue for {reference} — raised" in page
    assert "at Elm House at Elm House" not in page
    assert reverse("escalation:detail", args=[overdue_check_escalation.pk]) not in page
    assert reverse("learning_transfer:match_detail", args=[learning.pk]) not in page


def test_an_administrator_who_also_sees_the_work_gets_the_links(
    client, sign_in, administrator, rosa, learning, overdue_check_escalation, provider
):
    give_role(administrator, Role.QUALITY_DIRECTOR, provider=provider)
    sign_in(administrator)
    page = client.get(remove_url(rosa)).text
    assert reverse("escalation:detail", args=[overdue_check_escalation.pk]) in page
    assert reverse("learning_transfer:match_detail", args=[learning.pk]) in page
