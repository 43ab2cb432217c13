"""A trigger's page judges each service's receipt from the figures its match keeps (first notice, first
acknowledgement: `MatchedService.received_within`) as the rule written the long way over every round
decides (a notice of any round acknowledged by the service's own first notice plus the window), at the
edges of the window and across rounds."""

from datetime import timedelta

import pytest

from learning_transfer.models import MatchedService

from .conftest import CONFIRMED
from .receipt_reference import received_in_time

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


def rounds(case) -> list[tuple]:
    """(issued_at, acknowledged_at) of each round of a case."""
    return [
        (CONFIRMED + issued, None if acknowledged is None else CONFIRMED + issued + acknowledged)
        for issued, acknowledged in CASES[case]
    ]


def kept_figures(case) -> MatchedService:
    """A match with the figures `refresh_notice_figures` keeps for these rounds: the earliest notice
    and the earliest acknowledgement of any round."""
    acknowledged = [at for _, at in rounds(case) if at is not None]
    return MatchedService(
        first_notice_at=min(issued for issued, _ in rounds(case)),
        first_acknowledged_at=min(acknowledged, default=None),
    )


@pytest.mark.parametrize("case", CASES)
def test_receipt_follows_the_one_rule(case):
    expected = received_in_time(rounds(case), WINDOW_HOURS)
    assert kept_figures(case).received_within(WINDOW_HOURS) == expected


def test_the_cases_hold_both_answers():
    answers = {case: kept_figures(case).received_within(WINDOW_HOURS) for case in CASES}
    assert answers["acknowledged exactly at the deadline"] and not answers["a second late"]
    assert answers["the second round acknowledged within the first's window"]
    assert not answers["the second round acknowledged after the first's window"]
    assert not answers["never acknowledged"]


def test_a_match_never_sent_a_notice_has_not_received_it():
    assert not MatchedService().received_within(WINDOW_HOURS)
