"""Removing a role from its only holder at a service: the warning also names the open escalations to
OTHER roles there that the person was told of and that nobody could answer once they lose the role
(nobody holds the role it is addressed to there, and nobody else told of it works there), saying what,
at which service, since when, with a link to the escalation."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from escalation import engine
from escalation.models import Escalation, Notification, StepRun
from providers.calendar import LONDON
from providers.choices import Role
from providers.templatetags.nhsuk import london
from reporting_control import chain as reporting_chain
from reporting_control.choices import Audience
from reporting_control.models import ReportingUpdate
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 09:30 in London: an ordinary working morning.
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=LONDON)
HEADING = "After this, nobody can answer these open escalations:"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def administrator(provider):
    return person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")


@pytest.fixture
def manager(elm_house):
    """The only Registered Manager at Elm House."""
    return person_with_role(
        Role.REGISTERED_MANAGER, service=elm_house, username="elm.manager", first_name="Mo", last_name="Reid"
    )


@pytest.fixture
def told(provider, administrator, elm_house, manager):
    """An open escalation at Elm House addressed to its Clinical Lead (nobody holds the role there),
    which only the registered manager was told of."""
    update = ReportingUpdate.objects.create(
        provider=provider,
        title="Falls learning for the council",
        audience=Audience.COMMISSIONER,
        issue_at=(NOW + timedelta(days=14)).replace(hour=10, minute=0),
        created_by=administrator,
    )
    reporting_chain.start(update, administrator)
    c3 = StepRun.objects.filter(code="C3").order_by("due_at").first()
    engine.tick(c3.due_at + timedelta(hours=1))
    escalation = Escalation.objects.filter(step_run=c3).first()
    Escalation.objects.filter(pk=escalation.pk).update(
        service=elm_house, region=None, target_role=Role.CLINICAL_LEAD
    )
    Escalation.objects.exclude(pk=escalation.pk).delete()
    Notification.objects.filter(escalation=escalation).delete()
    Notification.objects.create(escalation=escalation, user=manager, email=manager.email)
    escalation.refresh_from_db()
    return escalation


def remove_page(client, person) -> str:
    return client.get(reverse("role_remove", args=[person.role_assignments.get().pk])).text


def test_the_warning_names_an_escalation_to_another_role_only_this_person_could_answer(
    client, sign_in, administrator, manager, told
):
    sign_in(administrator)
    page = remove_page(client, manager)
    assert "Mo Reid is the only Registered Manager at Elm House." in page
    assert HEADING in page
    listed = page.split(HEADING)[1].split("</ul>")[0]
    assert "Check complaints and safeguarding alerts (C3): step overdue" in listed
    assert "at Elm House, addressed to the Clinical Lead" in listed
    assert f"raised {london(told.raised_at)}" in listed
    # Named, not linked: the administrator's role opens no escalation.
    assert f'href="{reverse("escalation:detail", args=[told.pk])}"' not in listed


def test_not_named_when_someone_holds_the_role_it_is_addressed_to(
    client, sign_in, administrator, manager, told, elm_house
):
    person_with_role(Role.CLINICAL_LEAD, service=elm_house, username="elm.lead")
    sign_in(administrator)
    assert HEADING not in remove_page(client, manager)


def test_not_named_when_someone_else_told_still_works_there(
    client, sign_in, administrator, manager, told, elm_house
):
    carer = person_with_role(Role.SENIOR_CARER_LATE, service=elm_house, username="elm.carer")
    Notification.objects.create(escalation=told, user=carer, email=carer.email)
    sign_in(administrator)
    assert HEADING not in remove_page(client, manager)


def test_named_when_the_other_person_told_has_left_that_service(
    client, sign_in, administrator, manager, told, birch_lodge
):
    moved = person_with_role(Role.SENIOR_CARER_LATE, service=birch_lodge, username="moved.carer")
    Notification.objects.create(escalation=told, user=moved, email=moved.email)
    sign_in(administrator)
    assert HEADING in remove_page(client, manager)


def test_not_named_when_the_escalation_is_answered(client, sign_in, administrator, manager, told):
    Escalation.objects.filter(pk=told.pk).update(state="resolved")
    sign_in(administrator)
    assert HEADING not in remove_page(client, manager)
