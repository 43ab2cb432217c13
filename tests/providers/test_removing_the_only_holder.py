"""Removing a role its holder is the only one to hold where it is held: the page says what nobody could
then record or answer, and removing it needs "Remove anyway"."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import engine
from escalation.choices import EscalationState
from escalation.models import Escalation, StepRun
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


@pytest.fixture
def olu(provider):
    """The only Operations Director: the C3 check's overdue escalations are addressed to the role."""
    return person_with_role(
        Role.OPERATIONS_DIRECTOR,
        provider=provider,
        username="operations",
        first_name="Olu",
        last_name="Bakare",
    )


def overdue_checks(update) -> None:
    """Run the engine after the update's C3 check fell due: its late C1 and C3 steps are escalated
    to the Operations Director."""
    c3 = StepRun.objects.filter(code="C3", chain_run__object_id=update.pk).order_by("due_at").first()
    engine.tick(c3.due_at + timedelta(hours=1))


def test_the_page_names_the_open_escalations_nobody_could_answer(
    client, sign_in, administrator, olu, provider
):
    update = plan_update(provider, administrator)
    overdue_checks(update)
    # C1's escalation settled, as recording its step would: nobody has to answer it now.
    Escalation.objects.filter(step_run__code="C1").update(state=EscalationState.RESOLVED, settled=True)
    c3 = Escalation.objects.get(step_run__code="C3")
    sign_in(administrator)
    page = client.get(remove_url(olu)).text
    assert "Olu Bakare is the only Operations Director at Oakwood Care Group." in page
    assert "After this, nobody can answer these open escalations:" in page
    assert (
        f"Check complaints and safeguarding alerts (C3): step overdue for {update.reference} "
        f"{update.title} — raised "
        f"{london(c3.raised_at)}"
    ) in page
    assert "(C1): step overdue" not in page
    assert "After this, nobody can record:" in page  # the C4 sign-off is still the role's to record


def test_escalations_to_another_role_are_not_named(client, sign_in, administrator, femi, provider):
    overdue_checks(plan_update(provider, administrator))
    sign_in(administrator)
    page = client.get(remove_url(femi)).text
    assert "Femi Adeyemi is the only Resident Experience Lead" in page
    assert "open escalations" not in page


def test_the_escalations_read_the_database_as_often_for_many_as_for_one(
    client, sign_in, administrator, olu, provider
):
    overdue_checks(plan_update(provider, administrator))
    url = remove_url(olu)
    sign_in(administrator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    with_few = queries()
    for number in range(5):
        overdue_checks(plan_update(provider, administrator, title=f"Update {number}"))
    assert queries() == with_few
    assert Escalation.objects.filter(target_role=Role.OPERATIONS_DIRECTOR).count() > 5
    escalations = client.get(url).text.split("open escalations:")[1]
    assert "more</span>" in escalations  # the first few are named, the rest unfold under "and N more"


# Found: a role passed to a person added a minute before, who had not used their set-password link,
# then removed from its only real holder without a word: 22 open checks rested on someone who could not
# sign in. Such a holder covers nothing yet: removing the role from the other still warns and names them.


@pytest.fixture
def jo(provider):
    """Given the role today; has not set a password yet (the set-password link is unused)."""
    person = person_with_role(
        Role.RESIDENT_EXPERIENCE_LEAD,
        provider=provider,
        username="jo.tester",
        first_name="Jo",
        last_name="Tester",
    )
    person.set_unusable_password()
    person.save()
    return person


def test_a_holder_who_has_not_set_a_password_does_not_cover_the_role(
    client, sign_in, administrator, femi, jo, provider
):
    plan_update(provider, administrator)
    url = reverse("role_remove", args=[femi.role_assignments.get().pk])
    sign_in(administrator)
    page = client.get(url).text
    assert "Femi Adeyemi is the only Resident Experience Lead at Oakwood Care Group who can sign in" in page
    assert "Jo Tester holds it too but has not set a password yet" in page
    refused = client.post(url, {"reason": "Left"})
    assert refused.status_code == 200 and femi.role_assignments.exists()


def test_once_they_can_sign_in_they_cover_it(client, sign_in, administrator, femi, jo, provider):
    jo.set_password("a-long-password-2026")
    jo.save()
    sign_in(administrator)
    url = reverse("role_remove", args=[femi.role_assignments.get().pk])
    assert "is the only" not in client.get(url).text
