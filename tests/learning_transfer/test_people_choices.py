"""The pick-lists naming a matched service's implementation lead, its notice's owner and its lines'
owners offer the people who work at or over that service, each with their role and where they hold it
(the service's own people first), and the actions refuse anyone else, however the request was made:
the Nominated Individual is never Ash Grove's implementation lead."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning_transfer.models import ImplementationLead, ImplementationLine, LearningNotice
from learning_transfer.services import add_line, confirm_lead, issue_notices, name_owner
from providers.choices import Role
from providers.models import RoleAssignment
from tests.factories import person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
# Ash Grove's people, then the North region's deputy: the order and words the lists show.
ASH_CHOICES = [
    "Femi Adeyemi — Registered Manager, Ash Grove",
    "Beth Byrne — Clinical Lead, Ash Grove",
    "Tom Brennan — Deputy Regional Manager, North (region)",
]


@pytest.fixture
def people(falls_provider, north, south, provider):
    ash = falls_provider["ash"]
    femi = person_with_role(
        Role.REGISTERED_MANAGER, service=ash, first_name="Femi", last_name="Adeyemi", username="femi"
    )
    ash.registered_manager = femi
    ash.save()
    return {
        "femi": femi,
        "beth": person_with_role(
            Role.CLINICAL_LEAD, service=ash, first_name="Beth", last_name="Byrne", username="beth"
        ),
        "tom": person_with_role(
            Role.DEPUTY_REGIONAL_MANAGER, region=north, first_name="Tom", last_name="Brennan", username="tom"
        ),
        # Nobody below works at or over Ash Grove.
        "margaret": person_with_role(
            Role.NOMINATED_INDIVIDUAL, provider=provider, first_name="Margaret", last_name="Okafor"
        ),
        "ravi": person_with_role(
            Role.OPERATIONS_DIRECTOR, provider=provider, first_name="Ravi", last_name="Anand"
        ),
        "sam": person_with_role(
            Role.DEPUTY_REGIONAL_MANAGER, region=south, first_name="Sam", last_name="Cole", username="sam"
        ),
        "olu": person_with_role(
            Role.REGISTERED_MANAGER, service=falls_provider["beech"], first_name="Olu", last_name="Bello"
        ),
    }


@pytest.fixture
def ash(log_falls_trigger, people, quality_director):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    return trigger.matches.select_related("service", "trigger__provider").get(service__name="Ash Grove")


def choices(html: str, name: str) -> list[str]:
    """The labels of the select `name`'s options that name someone (not the empty first option)."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [
        label
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
        if value
    ]


def pages(ash):
    notice = LearningNotice.objects.get(matched_service=ash)
    return [
        (f"/learning/matches/{ash.pk}/lead/", "person"),
        (f"/learning/matches/{ash.pk}/lines/new/", "owner"),
        (f"/learning/notices/{notice.pk}/owner/", "owner"),
    ]


def test_each_pick_list_names_role_and_place_of_the_services_own_people_first(
    ash, client, sign_in, quality_director
):
    sign_in(quality_director)
    for url, field in pages(ash):
        response = client.get(url)
        assert response.status_code == 200
        assert choices(response.text, field) == ASH_CHOICES, url


def test_a_crafted_post_naming_someone_from_elsewhere_saves_nothing_and_says_why(
    ash, people, client, sign_in, quality_director
):
    sign_in(quality_director)
    notice = LearningNotice.objects.get(matched_service=ash)
    due = (ISSUED + timedelta(hours=48)).strftime("%Y-%m-%dT%H:%M")
    for outsider in ("margaret", "ravi", "sam", "olu"):
        pk = people[outsider].pk
        lead = client.post(f"/learning/matches/{ash.pk}/lead/", {"person": pk})
        line = client.post(
            f"/learning/matches/{ash.pk}/lines/new/", {"task": "Audit nights", "owner": pk, "due_at": due}
        )
        owner = client.post(f"/learning/notices/{notice.pk}/owner/", {"owner": pk, "due_at": due})
        for response in (lead, line, owner):
            assert response.status_code == 200  # the form again, with the error on the field
            assert "Choose someone who works at or over Ash Grove." in response.text
    assert not ImplementationLead.objects.filter(matched_service=ash).exists()
    assert not ImplementationLine.objects.filter(matched_service=ash).exists()
    notice.refresh_from_db()
    assert notice.owner == people["femi"]


def test_the_actions_refuse_anyone_without_a_role_at_or_over_the_service(ash, people, quality_director):
    notice = LearningNotice.objects.get(matched_service=ash)
    due = ISSUED + timedelta(hours=48)
    refusal = "Margaret Okafor does not work at Ash Grove: they hold no role there or in its region."
    with pytest.raises(ValidationError) as lead:
        confirm_lead(ash, person=people["margaret"], by=quality_director, now=ISSUED)
    with pytest.raises(ValidationError) as line:
        add_line(ash, by=quality_director, task="Audit", owner=people["margaret"], due_at=due, now=ISSUED)
    with pytest.raises(ValidationError) as owner:
        name_owner(notice, by=quality_director, owner=people["margaret"], due_at=due)
    assert refusal in lead.value.message_dict["person"][0]
    assert refusal in line.value.message_dict["owner"][0]
    assert refusal in owner.value.message_dict["owner"][0]
    # The region's deputy and the service's own people are accepted.
    confirm_lead(ash, person=people["tom"], by=quality_director, now=ISSUED)
    add_line(ash, by=quality_director, task="Audit", owner=people["beth"], due_at=due, now=ISSUED)
    name_owner(notice, by=quality_director, owner=people["femi"], due_at=due, reason="Femi covers nights.")


def test_the_pick_list_is_read_with_one_query_however_many_people_work_there(
    ash, falls_provider, north, client, sign_in, quality_director
):
    sign_in(quality_director)
    url = f"/learning/matches/{ash.pk}/lead/"
    client.get(url)  # warm caches (sessions, content types) so both counts compare alike

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for n in range(4):
        person_with_role(Role.SENIOR_CARER_LATE, service=falls_provider["ash"], username=f"carer{n}")
        person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username=f"deputy{n}")
    assert queries() == before
    assert len(choices(client.get(url).text, "person")) == len(ASH_CHOICES) + 8


def test_a_registered_manager_on_record_who_no_longer_holds_the_role_is_not_made_the_owner(
    log_falls_trigger, people, falls_provider, quality_director, client, sign_in
):
    for key in ("cedar", "dove"):  # every other service has its manager in post
        person_with_role(Role.REGISTERED_MANAGER, service=falls_provider[key])
    RoleAssignment.objects.filter(user=people["femi"], role=Role.REGISTERED_MANAGER).delete()  # role ended
    trigger = log_falls_trigger()
    sign_in(quality_director)
    response = client.post(f"/learning/triggers/{trigger.pk}/notices/issue/", follow=True)
    notice = LearningNotice.objects.get(
        matched_service__trigger=trigger, matched_service__service__name="Ash Grove"
    )
    assert notice.owner is None
    text = " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
    assert "Ash Grove has no registered manager in post to own its notice: name its owner." in text
    assert "Notices without an owner 1: name the owner for Ash Grove" in text


def test_the_lead_form_shows_the_current_lead_chosen(ash, people, client, sign_in, quality_director):
    confirm_lead(ash, person=people["beth"], by=quality_director, now=ISSUED)
    sign_in(quality_director)
    select = re.search(
        r'<select name="person".*?</select>', client.get(f"/learning/matches/{ash.pk}/lead/").text, re.S
    )
    chosen = re.findall(r'<option value="([^"]*)"[^>]*selected[^>]*>([^<]*)</option>', select.group(0))
    assert chosen == [(str(people["beth"].pk), "Beth Byrne — Clinical Lead, Ash Grove")]
