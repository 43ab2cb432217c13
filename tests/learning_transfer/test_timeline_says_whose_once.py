"""A trigger's chain A timeline says whose a step still to record is once: an overdue step's tag says
whom it waits for, with nothing more under it; a step not yet overdue has a bare tag and the line under
it says who records it; and where nobody holds the step's role, the line names the role and the place
(providers.who_acts.nobody_holds), never a bare "Nobody holds a role"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.html import strip_tags

from escalation.models import StepRun
from learning_transfer.templatetags.trigger_rows import timeline_item
from providers.models import Region, User
from providers.who_acts import Actors

UTC = ZoneInfo("UTC")
PAST, FUTURE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC), datetime(2099, 1, 1, tzinfo=UTC)
GRACE = User(username="grace", first_name="Grace", last_name="Nair")
AT_ELM_HOUSE = [Actors("clinical_lead", "at Elm House", (GRACE,))]


def said(**fields) -> str:
    """The timeline's words for one step someone else records."""
    actors = fields.pop("actors")
    step = StepRun(pk=1, code="A2", title="Issue the learning", due_text="within 2 hours", **fields)
    step.yours, step.actors = False, actors
    return " ".join(strip_tags(timeline_item(step, can_open_case=False)).split())


def test_an_overdue_step_says_whom_it_waits_for_once():
    words = said(state="due", due_at=PAST, role="clinical_lead", actors=AT_ELM_HOUSE)
    assert "Overdue — waiting for Grace Nair (Clinical Lead)" in words
    assert "to be recorded by" not in words
    assert words.count("Grace Nair") == 1


def test_a_step_not_yet_overdue_says_who_records_it_under_a_bare_tag():
    words = said(state="due", due_at=FUTURE, role="clinical_lead", actors=AT_ELM_HOUSE)
    assert "to be recorded by Clinical Lead at Elm House: Grace Nair" in words
    assert "waiting for" not in words
    assert words.count("Grace Nair") == 1


def test_a_step_nobody_can_record_names_the_role_and_the_place_once():
    north = Region(pk=5, name="North")
    for due_at in (PAST, FUTURE):
        words = said(state="due", due_at=due_at, role="quality_director", region=north, actors=[])
        assert "Nobody at North holds the Quality Director role yet: ask your provider administrator" in words
        assert "waiting for" not in words and "to be recorded by" not in words
        assert "Nobody holds a role" not in words
