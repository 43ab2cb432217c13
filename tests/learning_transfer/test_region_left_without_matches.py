"""Found: Hawthorn House was Yorkshire's only matched service; once it was left out of the learning,
Yorkshire's A4 check stayed "Overdue — waiting for" its deputy, with its escalation open, while the
deputy could no longer open it (404) and their dashboard said nothing was due. A region left with no
matched service has nothing to align: its A4 check closes, saying why, and its escalations settle."""

from datetime import timedelta

import pytest

from escalation.models import Escalation
from learning_transfer import chain
from learning_transfer.services import adjust_match, issue_notices

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db


def test_the_a4_check_of_a_region_left_without_matches_closes(
    log_falls_trigger, managers, falls_provider, quality_director
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    regions = {s.region.name: s for s in chain.region_step_runs(trigger, "A4")}
    south = falls_provider["cedar"].region.name  # Cedar Court and Dove Cottage
    assert south in regions

    for key in ("cedar", "dove"):
        adjust_match(trigger, falls_provider[key], False, "Not comparable.", quality_director)

    a4 = regions[south]
    a4.refresh_from_db()
    assert a4.state == "closed"
    assert "no matched service left in" in a4.events.latest("at").message
    assert not Escalation.objects.filter(step_run=a4, state="raised").exists()
    north = regions[falls_provider["ash"].region.name]
    north.refresh_from_db()
    assert north.state != "closed"  # Ash Grove and Beech Lodge remain
