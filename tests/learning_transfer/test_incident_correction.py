"""Staff correct an incident logged with a mistake on its own page, with a reason kept in the history:
the daily roll-up and the review flags follow the corrected values exactly as they follow an import,
and a learning trigger logged from the incident says it was corrected after its matching ran."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from learning_transfer.choices import HarmLevel, IncidentTheme
from learning_transfer.models import Incident, ReviewFlag
from learning_transfer.services import correct_incident, record_incident
from providers.choices import Role
from providers.templatetags.nhsuk import london
from tests.factories import person_with_role

from .conftest import LONDON
from .test_daily_rollup import assert_rollup_matches_raw_rows, rolled_up

pytestmark = pytest.mark.django_db
REASON = "Typed the wrong day: the fall was on Friday night, not Thursday."


def correct_url(incident) -> str:
    return reverse("learning_transfer:incident_correct", args=[incident.pk])


def fall(by, service, reference: str, day: int, **details) -> Incident:
    """A fall entered by hand at 10:00 on `day` November 2026."""
    return record_incident(
        by=by,
        service=service,
        source_reference=reference,
        occurred_at=datetime(2026, 11, day, 10, 0, tzinfo=LONDON),
        theme=IncidentTheme.FALL,
        **details,
    )


def form_of(incident: Incident, reason: str = REASON, **changes) -> dict:
    """The correction form as the page fills it with the incident's values, with `changes` typed in."""
    values = {
        "service": incident.service_id,
        "occurred_at": incident.occurred_at.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M"),
        "theme": incident.theme,
        "harm_level": incident.harm_level,
        "people_affected": incident.people_affected,
        "description": incident.description,
        "reason": reason,
    }
    if incident.safeguarding_concern:
        values["safeguarding_concern"] = "on"
    if incident.regulatory_notification:
        values["regulatory_notification"] = "on"
    return values | changes


@pytest.fixture
def incident(quality_director, elm_house):
    return fall(quality_director, elm_house, "ELM-1", 5, description="Found on the floor.")


def test_a_correction_is_saved_with_its_reason_and_the_earlier_values_stay_in_the_history(
    client, sign_in, quality_director, incident
):
    sign_in(quality_director)
    page = client.get(correct_url(incident)).text
    assert 'value="2026-11-05T10:00"' in page and "Found on the floor." in page  # the current values

    form = form_of(incident, occurred_at="2026-11-06T22:15", people_affected=2)
    page = client.post(correct_url(incident), form, follow=True).text

    assert "Incident ELM-1 corrected." in page
    incident.refresh_from_db()
    assert incident.occurred_at == datetime(2026, 11, 6, 22, 15, tzinfo=LONDON)
    assert incident.people_affected == 2
    latest, first = incident.history.order_by("-history_date", "-history_id")[:2]
    assert (latest.history_user, latest.history_change_reason) == (quality_director, REASON)
    assert first.occurred_at == datetime(2026, 11, 5, 10, 0, tzinfo=LONDON)  # the earlier value is kept
    assert "Corrections" in page and escape(REASON) in page
    assert "When it happened (Thu 5 Nov 2026, 10:00 → Fri 6 Nov 2026, 22:15)" in page
    assert "the number of people affected (1 → 2)" in page


def test_the_reason_is_required_on_the_form_and_in_the_service(client, sign_in, quality_director, incident):
    sign_in(quality_director)
    response = client.post(correct_url(incident), form_of(incident, reason="  ", people_affected=3))
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Give the reason for the correction."]
    with pytest.raises(ValidationError) as error:
        correct_incident(incident, by=quality_director, changes={"people_affected": 3}, reason="")
    assert error.value.message_dict == {"reason": ["Give the reason for the correction."]}
    incident.refresh_from_db()
    assert incident.people_affected == 1 and incident.history.count() == 1


def test_a_correction_that_changes_nothing_is_refused(client, sign_in, quality_director, incident):
    sign_in(quality_director)
    response = client.post(correct_url(incident), form_of(incident))
    assert response.status_code == 200
    nothing = "Nothing was changed: correct at least one value, or go back."
    assert nothing in response.context["form"].non_field_errors()
    with pytest.raises(ValidationError) as error:
        correct_incident(incident, by=quality_director, changes={"people_affected": 1}, reason=REASON)
    assert error.value.messages == [nothing]
    assert incident.history.count() == 1


def test_the_same_limits_as_entering_an_incident_apply(quality_director, incident, birch_lodge):
    fall(quality_director, birch_lodge, "ELM-1", 4)  # Birch Lodge has its own ELM-1
    with pytest.raises(ValidationError) as error:
        correct_incident(
            incident,
            by=quality_director,
            changes={"occurred_at": datetime(2030, 1, 1, tzinfo=LONDON), "people_affected": 0},
            reason=REASON,
        )
    assert set(error.value.message_dict) == {"occurred_at"}
    with pytest.raises(ValidationError) as error:
        correct_incident(incident, by=quality_director, changes={"service": birch_lodge}, reason=REASON)
    assert error.value.message_dict == {
        "service": ["Birch Lodge already has an incident with reference ELM-1."]
    }


def test_only_people_who_record_incidents_at_its_service_may_correct_it(
    client, sign_in, incident, registered_manager, birch_lodge, nominated_individual, other_provider_service
):
    """The registered manager of Elm House may; Birch Lodge's finds no such incident; the nominated
    individual (who records none) is refused; another provider's staff find nothing."""
    birch_manager = person_with_role(Role.REGISTERED_MANAGER, service=birch_lodge, username="birch-rm")
    outsider = person_with_role(
        Role.QUALITY_DIRECTOR, provider=other_provider_service.provider, username="outsider"
    )
    expected = {registered_manager: 200, birch_manager: 404, nominated_individual: 403, outsider: 404}
    for person, status in expected.items():
        sign_in(person)
        assert client.get(correct_url(incident)).status_code == status, person
        assert client.post(correct_url(incident), form_of(incident, people_affected=4)).status_code in (
            302 if status == 200 else status,
        )
    incident.refresh_from_db()
    assert incident.people_affected == 4  # the registered manager's correction only
    with pytest.raises(PermissionDenied):
        correct_incident(incident, by=birch_manager, changes={"people_affected": 5}, reason=REASON)


def test_a_registered_manager_cannot_move_an_incident_to_a_service_they_do_not_manage(
    registered_manager, incident, birch_lodge
):
    with pytest.raises(PermissionDenied):
        correct_incident(incident, by=registered_manager, changes={"service": birch_lodge}, reason=REASON)
    incident.refresh_from_db()
    assert incident.service.name == "Elm House"


def flags() -> dict:
    """{incident reference: the review reasons it is flagged for}."""
    reasons = ("serious_harm", "repeated", "safeguarding", "regulatory", "several_people")
    found = {}
    for flag in ReviewFlag.objects.all():
        reference = Incident.objects.get(pk=flag.incident_id).source_reference
        found[reference] = {reason for reason in reasons if getattr(flag, reason)}
    return found


def test_the_rollup_and_the_review_flags_follow_each_correction(quality_director, elm_house, birch_lodge):
    """Hand-worked: three falls at Elm House on 2, 3 and 4 November; the default thresholds flag the
    third as a repeat (three of one type within 28 days).
    1. The second was a medication error with severe harm: no repeat of falls; it is flagged for harm.
    2. It was a fall at Birch Lodge on 6 November: Elm House has two falls on the 2nd and 4th, Birch
       Lodge one on the 6th, still flagged for its severe harm; no repeat anywhere."""
    first, second, third = (fall(quality_director, elm_house, f"E-{day}", day) for day in (2, 3, 4))
    assert flags() == {"E-4": {"repeated"}}
    elm, birch = elm_house.pk, birch_lodge.pk
    assert {key: n for key, (n, _) in rolled_up().items()} == {
        (elm, date(2026, 11, 2)): 1,
        (elm, date(2026, 11, 3)): 1,
        (elm, date(2026, 11, 4)): 1,
    }

    correct_incident(
        second,
        by=quality_director,
        changes={"theme": IncidentTheme.MEDICATION, "harm_level": HarmLevel.SEVERE},
        reason="It was a medication error.",
    )
    assert flags() == {"E-3": {"serious_harm"}}
    assert_rollup_matches_raw_rows()

    correct_incident(
        second,
        by=quality_director,
        changes={
            "service": birch_lodge,
            "theme": IncidentTheme.FALL,
            "occurred_at": datetime(2026, 11, 6, 10, 0, tzinfo=LONDON),
        },
        reason="Entered against the wrong home and day.",
    )
    assert flags() == {"E-3": {"serious_harm"}}
    assert {key: n for key, (n, _) in rolled_up().items()} == {
        (elm, date(2026, 11, 2)): 1,
        (elm, date(2026, 11, 4)): 1,
        (birch, date(2026, 11, 6)): 1,
    }
    assert_rollup_matches_raw_rows()


@pytest.fixture
def source_incident(falls_provider, quality_director):
    """A fall at Elm House the day before the trigger is confirmed, corrected after its matching ran."""
    return fall(quality_director, falls_provider["elm"], "ELM-SRC", 17, description="Fell at 02:10.")


def test_the_trigger_page_says_its_incident_was_corrected_after_matching(
    client, sign_in, log_falls_trigger, source_incident, quality_director, managers
):
    trigger = log_falls_trigger(source_incident=source_incident)
    correct_incident(
        source_incident,
        by=quality_director,
        changes={"harm_level": HarmLevel.SEVERE, "description": "Fell at 02:10; hip fracture."},
        reason="The hospital confirmed a fracture.",
    )
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
    corrected_at = london(source_incident.history.first().history_date)
    notice = (
        f"The incident behind this was corrected on {corrected_at} by {quality_director}: "
        "The hospital confirmed a fracture."
    )
    assert escape(notice) in page
    assert "What changed: its harm level (No harm → Severe harm) and its description." in page
    assert "The matching was run on the values before; run matching again if it matters." in page
    rematch = reverse("learning_transfer:trigger_rematch", args=[trigger.pk])
    assert page.count(f'action="{rematch}"') == 2  # offered in the notice, and by the matched services
    assert trigger.source_service.name == "Elm House"  # what the trigger decided stays as it was

    # A registered manager of a matched service reads the notice, with no matching to run.
    sign_in(managers["ash"])
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
    assert "The hospital confirmed a fracture." in page and rematch not in page


def test_the_corrections_are_read_with_the_same_queries_however_many(
    client, sign_in, quality_director, incident, birch_lodge
):
    sign_in(quality_director)
    url = reverse("learning_transfer:incident_review", args=[incident.pk])
    correct_incident(incident, by=quality_director, changes={"people_affected": 2}, reason="One more.")
    with CaptureQueriesContext(connection) as one:
        assert "One more." in client.get(url).text
    for n in range(3, 6):
        correct_incident(
            incident,
            by=quality_director,
            changes={"people_affected": n, "service": birch_lodge if n % 2 else incident.service},
            reason=f"Now {n}.",
        )
    with CaptureQueriesContext(connection) as several:
        page = client.get(url).text
    assert "Now 5." in page and "The service (Elm House → Birch Lodge)" in page
    assert len(several) == len(one)


def test_the_incident_list_and_review_page_offer_the_correction_to_those_who_may(
    client, sign_in, quality_director, incident, provider
):
    governance = person_with_role(Role.GOVERNANCE_OFFICER, provider=provider, username="go")
    operations = person_with_role(Role.OPERATIONS_DIRECTOR, provider=provider, username="od")
    link = f'href="{correct_url(incident)}"'
    record = f'href="{reverse("learning_transfer:incident_add")}"'  # a new one, found from the list too
    for person, offered in ((quality_director, True), (governance, True), (operations, False)):
        sign_in(person)
        page = client.get(reverse("learning_transfer:incident_list")).text
        assert (link in page) is offered and (record in page) is offered, person
    sign_in(quality_director)
    assert link in client.get(reverse("learning_transfer:incident_review", args=[incident.pk])).text
