"""C2's "matched services completing the revised action within the target timeframe" judges a service
only once its notice has fallen due (or it has verified): a home still inside its timeframe is not behind.
The demo's figures check, two days before the other homes' notices fell due, read 33.3 % and told their
managers they were behind."""

from datetime import timedelta

from django.utils import timezone

from escalation import computations
from reporting_control import chain, evidence

from .conftest import send_notice, verify


def _notice_due(match, by, days_from_now):
    notice = send_notice(match, by)
    notice.due_at = timezone.now() + timedelta(days=days_from_now)
    notice.save()


def _figure(update):
    figures = computations.compute(chain.step_run(update, chain.FIGURES_STEP)).values
    return figures.get("pct_completing_in_time")


def test_a_service_whose_notice_is_not_yet_due_is_left_out(
    update_with_a_line, quality_director, birch_match, cedar_match, birch_lodge
):
    verify(birch_match)  # two days ago
    _notice_due(birch_match, quality_director, days_from_now=-1)  # verified before it fell due
    _notice_due(cedar_match, quality_director, days_from_now=2)  # Cedar Court still has two days
    update = update_with_a_line()
    assert _figure(update) == 100.0
    by_service = evidence.completing_in_time_by_service(update, evidence.evidence_map(update))
    assert by_service == {birch_lodge: 100.0}, "Cedar Court has no figure until its notice falls due"


def test_a_service_past_its_due_time_without_verifying_is_behind(
    update_with_a_line, quality_director, birch_match, cedar_match
):
    verify(birch_match)
    _notice_due(birch_match, quality_director, days_from_now=-1)
    _notice_due(cedar_match, quality_director, days_from_now=-1)
    assert _figure(update_with_a_line()) == 50.0


def test_a_service_that_verified_early_counts_before_its_notice_falls_due(
    update_with_a_line, quality_director, birch_match, cedar_match
):
    verify(birch_match)
    _notice_due(birch_match, quality_director, days_from_now=3)
    _notice_due(cedar_match, quality_director, days_from_now=3)
    assert _figure(update_with_a_line()) == 100.0


def test_no_figure_when_no_notice_has_fallen_due_and_none_verified(
    update_with_a_line, quality_director, birch_match, cedar_match
):
    _notice_due(birch_match, quality_director, days_from_now=3)
    _notice_due(cedar_match, quality_director, days_from_now=3)
    assert _figure(update_with_a_line()) is None, "left for the analyst to enter, not guessed as 0 %"
