"""A trigger's page judges each service's receipt from its loaded notices by the one rule of
`analysis.received_in_time` (a notice of any round acknowledged by the service's own first notice plus
the window), at the edges of the window and across rounds."""

from datetime import timedelta

import pandas as pd
import pytest

from learning_transfer.analysis import received_in_time
from learning_transfer.models import LearningNotice
from learning_transfer.services import measures

from .conftest import CONFIRMED

WINDOW_HOURS = 4
HOUR, SECOND = timedelta(hours=1), timedelta(seconds=1)

# Each case: the (issued after CONFIRMED, acknowledged after its issue or None) of every round.
CASES = {
    "acknowledged exactly at the deadline": [(HOUR, 4 * HOUR)],
    "a second late": [(HOUR, 4 * HOUR + SECOND)],
    "never acknowledged": [(HOUR, None)],
    "the second round acknowledged within the first's window": [(HOUR, None), (2 * HOUR, HOUR)],
    "the second round acknowledged after the first's window": [(HOUR, None), (2 * HOUR, 3 * HOUR + SECOND)],
    "the first round late, the second in time": [(HOUR, 9 * HOUR), (2 * HOUR, 2 * HOUR)],
}


def notice(issued_after, acknowledged_after) -> LearningNotice:
    issued = CONFIRMED + issued_after
    acknowledged = None if acknowledged_after is None else issued + acknowledged_after
    return LearningNotice(issued_at=issued, acknowledged_at=acknowledged)


@pytest.mark.parametrize("case", CASES)
def test_receipt_follows_the_one_rule(case):
    notices = {7: [notice(*round_) for round_ in CASES[case]]}
    frame = pd.DataFrame(
        [(7, n.issued_at, n.acknowledged_at) for n in notices[7]],
        columns=["match_id", "issued_at", "acknowledged_at"],
    )
    expected = bool(received_in_time(frame, WINDOW_HOURS).get(7, False))
    assert measures._received_in_time(notices, WINDOW_HOURS) == {7: expected}


def test_the_cases_hold_both_answers():
    answers = {
        case: measures._received_in_time({1: [notice(*r) for r in rounds]}, WINDOW_HOURS)[1]
        for case, rounds in CASES.items()
    }
    assert answers["acknowledged exactly at the deadline"] and not answers["a second late"]
    assert answers["the second round acknowledged within the first's window"]
    assert not answers["the second round acknowledged after the first's window"]
