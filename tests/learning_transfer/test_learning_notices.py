"""A2: one action issues a notice to every matched service; owners acknowledge; the page measures
receipt within 4 hours; redistribution reaches the services that did not receive it."""

import html
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from escalation import computations
from learning_transfer import chain
from learning_transfer.choices import TriggerStatus
from learning_transfer.models import LearningNotice
from learning_transfer.services import (
    acknowledge_notice,
    adjust_match,
    issue_notices,
    name_owner,
    redistribute,
)
from learning_transfer.services.measures import distribution, picture
from learning_transfer.views.notices import NoticeListView
from providers.choices import Role
from providers.templatetags.nhsuk import london
from tests.factories import person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)


@pytest.fixture
def trigger(log_falls_trigger, managers):
    return log_falls_trigger()


def notice_for(trigger, key, falls_provider):
    return LearningNotice.objects.get(
        matched_service__trigger=trigger, matched_service__service=falls_provider[key], superseded_at=None
    )


def test_issuing_sends_one_notice_per_matched_service_owned_by_its_manager(
    trigger, quality_director, managers
):
    notices = issue_notices(trigger, by=quality_director, now=ISSUED)
    assert len(notices) == 4
    assert {n.owner for n in notices} == set(managers.values())
    assert all(n.due_at == ISSUED + timedelta(hours=72) for n in notices)
    trigger.refresh_from_db()
    assert trigger.status == TriggerStatus.ISSUED and trigger.notices_issued_at == ISSUED


def test_a_notice_cannot_go_out_without_the_learning_statement(log_falls_trigger, quality_director):
    trigger = log_falls_trigger(learning_statement="")
    with pytest.raises(ValidationError, match="learning statement"):
        issue_notices(trigger, by=quality_director, now=ISSUED)


def test_only_the_owner_or_the_services_manager_acknowledges(
    trigger, quality_director, managers, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notice = notice_for(trigger, "ash", falls_provider)
    with pytest.raises(PermissionDenied):
        acknowledge_notice(notice, by=managers["beech"], now=ISSUED + timedelta(hours=1))
    acknowledge_notice(notice, by=managers["ash"], now=ISSUED + timedelta(hours=1))
    notice.refresh_from_db()
    assert notice.acknowledged_by == managers["ash"]
    with pytest.raises(ValidationError, match="already acknowledged"):
        acknowledge_notice(notice, by=managers["ash"])


def test_receipt_within_4_hours_is_measured_from_the_issue(
    trigger, quality_director, managers, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    acknowledge_notice(
        notice_for(trigger, "ash", falls_provider), by=managers["ash"], now=ISSUED + timedelta(hours=4)
    )
    acknowledge_notice(
        notice_for(trigger, "beech", falls_provider),
        by=managers["beech"],
        now=ISSUED + timedelta(hours=4, minutes=1),
    )
    figures = distribution(picture(trigger, ISSUED + timedelta(hours=5)))
    assert (figures["received"], figures["included"], figures["pct_received"]) == (
        1,
        4,
        25.0,
    )
    assert computations.compute(chain.step_run(trigger, "A2"), ISSUED).values == {
        "pct_received_within_4h": 25.0,
        "sampled_with_named_owner": 4,
        "sampled_due_within_72h": 4,
    }


def test_a_service_without_a_manager_gets_a_notice_without_an_owner(
    log_falls_trigger, quality_director, falls_provider
):
    trigger = log_falls_trigger()  # no managers named anywhere
    issue_notices(trigger, by=quality_director, now=ISSUED)
    figures = distribution(picture(trigger, ISSUED))
    assert len(figures["without_owner"]) == 4 and figures["sampled_with_owner"] == 0


def test_the_governance_officer_names_a_missing_owner(
    log_falls_trigger, quality_director, falls_provider, managers, governance_officer
):
    trigger = log_falls_trigger()
    falls_provider["ash"].registered_manager = None
    falls_provider["ash"].save()
    LearningNotice.objects.all().delete()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notice = notice_for(trigger, "ash", falls_provider)
    assert notice.owner == managers["ash"]  # found through the role even without the service field
    lead = person_with_role(Role.SERVICE_IMPROVEMENT_LEAD, service=falls_provider["ash"], username="ash-lead")
    due_before = notice.due_at
    due = ISSUED + timedelta(hours=48)
    name_owner(notice, by=governance_officer, owner=lead, due_at=due, reason="Ash's manager is on leave.")
    notice.refresh_from_db()
    assert notice.owner == lead
    # The history says what changed, as a distribution sheet would (a tester's finding: it said only
    # "Owner and due date set"), and why.
    assert notice.history.first().history_change_reason == (
        f"Owner {managers['ash']} → {lead}; implementation due {london(due_before)} → {london(due)}. "
        "Why: Ash's manager is on leave."
    )


def test_changing_a_named_owner_or_due_date_needs_a_reason(
    trigger, quality_director, falls_provider, managers, governance_officer
):
    """Found: a notice's named owner could be swapped with no word of why, though the owner is who
    the distribution sheet holds to account. Naming one where none was needs none."""
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notice = notice_for(trigger, "ash", falls_provider)
    later = notice.due_at + timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        name_owner(notice, by=governance_officer, owner=managers["ash"], due_at=later, reason="  ")
    assert "Say why you are changing" in refused.value.message_dict["reason"][0]
    notice.refresh_from_db()
    assert notice.due_at != later  # nothing changed

    LearningNotice.objects.filter(pk=notice.pk).update(owner=None)
    notice.refresh_from_db()
    name_owner(notice, by=governance_officer, owner=managers["ash"], due_at=notice.due_at)
    notice.refresh_from_db()
    assert notice.owner == managers["ash"]


def test_the_owner_page_asks_why_and_keeps_what_was_typed(
    client, sign_in, trigger, quality_director, falls_provider, managers
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notice = notice_for(trigger, "ash", falls_provider)
    sign_in(quality_director)
    url = reverse("learning_transfer:notice_owner", args=[notice.pk])
    page = client.get(url).text
    assert "Reason for the change" in page
    response = client.post(url, {"owner": managers["ash"].pk, "due_at": "2026-11-25T10:00", "reason": ""})
    assert response.status_code == 200
    assert "Say why you are changing" in response.context["form"].errors["reason"][0]
    assert 'value="2026-11-25T10:00"' in response.text
    response = client.post(
        url,
        {"owner": managers["ash"].pk, "due_at": "2026-11-25T10:00", "reason": "Agency cover."},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert "Why: Agency cover." in notice.history.first().history_change_reason


def test_services_added_after_issue_are_shown_as_left_out_until_issued(
    trigger, quality_director, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    adjust_match(trigger, falls_provider["ember"], True, "Same night rota", quality_director)
    figures = distribution(picture(trigger, ISSUED))
    assert [row.match.service.name for row in figures["not_issued"]] == ["Ember Court"]
    assert len(issue_notices(trigger, by=quality_director, now=ISSUED + timedelta(hours=1))) == 1


def test_redistribution_reissues_to_services_that_did_not_receive_in_time(
    trigger, quality_director, managers, falls_provider, governance_officer
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    acknowledge_notice(
        notice_for(trigger, "ash", falls_provider), by=managers["ash"], now=ISSUED + timedelta(hours=1)
    )
    reissued = redistribute(trigger, by=governance_officer, now=ISSUED + timedelta(hours=5))
    assert sorted(n.service.name for n in reissued) == ["Beech Lodge", "Cedar Court", "Dove Cottage"]
    assert all(n.round == 2 for n in reissued)
    assert LearningNotice.objects.filter(superseded_at__isnull=False).count() == 3
    # The first issue stays the measure: the late services still count as not received in 4 hours.
    acknowledge_notice(
        notice_for(trigger, "beech", falls_provider), by=managers["beech"], now=ISSUED + timedelta(hours=6)
    )
    assert distribution(picture(trigger, ISSUED + timedelta(hours=7)))["received"] == 1


def test_nothing_to_redistribute_when_every_service_received(
    trigger, quality_director, managers, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    for key in managers:
        acknowledge_notice(
            notice_for(trigger, key, falls_provider), by=managers[key], now=ISSUED + timedelta(hours=1)
        )
    with pytest.raises(ValidationError, match="nothing to redistribute"):
        redistribute(trigger, by=quality_director, now=ISSUED + timedelta(hours=5))


def test_the_registered_manager_acknowledges_from_their_notice_page(
    client, trigger, quality_director, managers, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    client.force_login(managers["ash"])
    page = client.get("/learning/notices/").text
    assert "Ash Grove" in page and "Beech Lodge" not in page
    notice = notice_for(trigger, "ash", falls_provider)
    response = client.post(f"/learning/notices/{notice.pk}/acknowledge/", follow=True)
    assert "acknowledged" in response.text
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None
    other = notice_for(trigger, "beech", falls_provider)
    assert client.post(f"/learning/notices/{other.pk}/acknowledge/").status_code == 404


def test_notices_waiting_for_acknowledgement_come_first_whatever_the_database(
    client, sign_in, trigger, quality_director, monkeypatch
):
    """PostgreSQL sorts an empty acknowledgement time after every other, SQLite before: sorted
    plainly, a large provider's first pages held only acknowledged notices and the waiting ones came
    last (87,000 of them after 87,000 acknowledged). Waiting notices lead on every database."""
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notices = list(LearningNotice.objects.filter(matched_service__trigger=trigger).order_by("pk"))
    waiting = notices[-1]
    for notice in notices[:-1]:
        acknowledge_notice(notice, by=notice.owner, now=ISSUED + timedelta(hours=1))
    monkeypatch.setattr(NoticeListView, "paginate_by", 2)
    sign_in(quality_director)
    first_page = client.get("/learning/notices/").context
    assert waiting in first_page["yours"] + first_page["others"]
    assert len(first_page["acknowledged"]) == 1


def test_saving_the_owner_unchanged_writes_no_change(
    client, sign_in, trigger, quality_director, falls_provider
):
    """Found: pressing Save on the owner page with nothing changed said "Owner and due date set" and
    wrote "Owner and due date set again, unchanged" in the notice's history."""
    issue_notices(trigger, by=quality_director, now=ISSUED)
    notice = notice_for(trigger, "ash", falls_provider)
    history = notice.history.count()
    sign_in(quality_director)
    url = reverse("learning_transfer:notice_owner", args=[notice.pk])
    due = timezone.localtime(notice.due_at).strftime("%Y-%m-%dT%H:%M")
    page = client.post(url, {"owner": notice.owner_id, "due_at": due}, follow=True).text
    assert "Nothing changed: the notice already names this owner and due date." in html.unescape(page)
    assert notice.history.count() == history
