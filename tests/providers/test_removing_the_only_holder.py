"""Removing a role its holder is the only one to hold where it is held: the page says what nobody could
then record, and removing it needs "Remove anyway"."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.models import StepRun
from providers.calendar import LONDON
from providers.choices import Role
from providers.models import RoleAssignment
from providers.templatetags.nhsuk import london
from reporting_control import chain as reporting_chain
from reporting_control.choices import Audience
from reporting_control.models import ReportingUpdate
from tests.factories import person_with_role

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
def femi(provider):
    return person_with_role(
        Role.RESIDENT_EXPERIENCE_LEAD,
        provider=provider,
        username="experience.lead",
        first_name="Femi",
        last_name="Adeyemi",
    )


def plan_update(provider, by, title="Falls learning for the council"):
    """An update with its chain C case: its C3 checks are the Resident Experience Lead's to record."""
    update = ReportingUpdate.objects.create(
        provider=provider,
        title=title,
        audience=Audience.COMMISSIONER,
        issue_at=(NOW + timedelta(days=14)).replace(hour=10, minute=0),
        created_by=by,
    )
    reporting_chain.start(update, by)
    return update


def remove_url(person) -> str:
    return reverse("role_remove", args=[person.role_assignments.get().pk])


def test_the_page_warns_that_nobody_could_record_the_roles_checks(
    client, sign_in, administrator, femi, provider
):
    update = plan_update(provider, administrator)
    c3 = StepRun.objects.filter(code="C3").order_by("due_at").first()
    sign_in(administrator)
    page = client.get(remove_url(femi)).text
    assert "Femi Adeyemi is the only Resident Experience Lead at Oakwood Care Group." in page
    assert "After this, nobody can record:" in page
    assert f"Check complaints and safeguarding alerts (C3) for {update.reference}" in page
    assert f"due {london(c3.due_at)}" in page
    assert "Give the role to someone else first, or remove it anyway." in page
    assert 'name="remove_anyway"' in page


def test_removing_the_only_holder_needs_remove_anyway(client, sign_in, administrator, femi, provider):
    plan_update(provider, administrator)
    url = remove_url(femi)
    sign_in(administrator)
    refused = client.post(url, {"reason": "Left"})
    assert refused.status_code == 200
    assert 'href="#id_remove_anyway"' in refused.text
    assert femi.role_assignments.count() == 1
    done = client.post(url, {"reason": "Left", "remove_anyway": "on"}, follow=True)
    assert "removed from Femi Adeyemi" in done.text
    assert not femi.role_assignments.exists()


def test_the_only_holder_with_nothing_waiting_still_needs_remove_anyway(client, sign_in, administrator, femi):
    url = remove_url(femi)
    sign_in(administrator)
    page = client.get(url).text
    assert "Femi Adeyemi is the only Resident Experience Lead at Oakwood Care Group." in page
    assert "After this, nobody can record" not in page
    client.post(url, {"reason": "Left"})
    assert femi.role_assignments.count() == 1


def test_no_warning_when_someone_else_holds_the_role_there(client, sign_in, administrator, femi, provider):
    person_with_role(Role.RESIDENT_EXPERIENCE_LEAD, provider=provider, username="second.lead")
    plan_update(provider, administrator)
    url = remove_url(femi)
    sign_in(administrator)
    page = client.get(url).text
    assert "is the only" not in page and 'name="remove_anyway"' not in page
    client.post(url, {"reason": "Left"})
    assert not femi.role_assignments.exists()


def test_another_services_holder_does_not_count(client, sign_in, administrator, elm_house, birch_lodge):
    elm_lead = person_with_role(
        Role.CLINICAL_LEAD, service=elm_house, username="elm.lead", first_name="Priya", last_name="Shah"
    )
    person_with_role(Role.CLINICAL_LEAD, service=birch_lodge, username="birch.lead")
    sign_in(administrator)
    page = client.get(remove_url(elm_lead)).text
    assert "Priya Shah is the only Clinical Lead at Elm House." in page


def test_the_warning_reads_the_database_as_often_for_many_checks_as_for_one(
    client, sign_in, administrator, femi, provider
):
    plan_update(provider, administrator)
    url = remove_url(femi)
    sign_in(administrator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    with_one = queries()
    for number in range(5):
        plan_update(provider, administrator, title=f"Update {number}")
    assert queries() == with_one
    page = client.get(url).text
    assert "more" in page  # the first few are named, the rest counted


def test_the_last_administrator_is_still_never_removed(client, sign_in, administrator):
    sign_in(administrator)
    url = remove_url(administrator)
    response = client.post(url, {"reason": "Leaving", "remove_anyway": "on"})
    assert "last provider administrator" in response.text
    assert RoleAssignment.objects.filter(user=administrator).exists()
