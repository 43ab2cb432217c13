"""Found: a trigger's History said "Working days ahead counted for open action lines: None → 5" the
first time matching counted them; a value set for the first time reads "not set", as everywhere else."""

import pytest

from learning_transfer.services.triggers import match_services
from providers.history import field_changes
from tests.factories import falls_trigger

pytestmark = pytest.mark.django_db


def test_a_count_set_for_the_first_time_reads_not_set(provider, elm_house, birch_lodge, quality_director):
    trigger = falls_trigger(provider, elm_house, quality_director)
    trigger.history.update(open_actions_working_days=None)  # as logged: nothing counted yet
    match_services(trigger, by=quality_director)

    rows = list(trigger.history.order_by("history_date", "history_id"))
    said = [
        line for older, newer in zip(rows, rows[1:], strict=False) for line in field_changes(older, newer)
    ]
    counted = [line for line in said if line.startswith("Working days ahead counted for open action lines")]
    assert counted == ["Working days ahead counted for open action lines: not set → 5"]
