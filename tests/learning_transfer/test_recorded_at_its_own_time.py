"""A case recorded after the fact (the demo's story, an older failure typed in today) is dated by the
moment each action is given, not by when the code ran: logged, matched, started, issued and closed
read in the order they happened, on the trigger, in its history and on its case."""

from datetime import timedelta

import pytest
import time_machine

from escalation.choices import EventKind
from learning_transfer import chain
from learning_transfer.services import issue_notices

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db

LOGGED = CONFIRMED + timedelta(minutes=5)
ISSUED = CONFIRMED + timedelta(hours=1)
TODAY = CONFIRMED + timedelta(days=20)  # when the code runs


def test_a_trigger_logged_with_a_moment_is_logged_matched_and_started_then(
    log_falls_trigger, quality_director
):
    with time_machine.travel(TODAY, tick=False):
        trigger = log_falls_trigger(now=LOGGED)
        issue_notices(trigger, by=quality_director, now=ISSUED)
    trigger.refresh_from_db()
    assert trigger.logged_at == LOGGED
    created = trigger.history.get(history_type="+")
    assert (created.history_date, created.history_change_reason) == (LOGGED, "Serious failure logged")
    run = chain.run_for(trigger)
    assert run.started_at == LOGGED
    assert run.history.get(history_type="+").history_date == LOGGED
    assert run.events.get(kind=EventKind.CHAIN_STARTED).at == LOGGED
    matched = {row.history_date for row in trigger.matches.model.history.filter(trigger_id=trigger.pk)}
    learning = trigger.history.filter(history_change_reason__startswith="Learning")
    issued = {row.history_date for row in learning}
    assert matched <= {LOGGED, ISSUED} and LOGGED in matched
    assert issued == {ISSUED}
    assert not trigger.history.filter(history_date=TODAY).exists()
