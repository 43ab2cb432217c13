"""An update released before its issue date still needs its figures checked at least once. A tester's
update went out 12 days early with every "Check the figures behind each claim" (C2) row closed as "no
longer needed" and nothing recorded, and the release checklist never mentioned the check."""

import pytest
from django.core.exceptions import ValidationError

from escalation.choices import StepRunState
from reporting_control import chain, services
from tests.factories import CHECK_DONE, check_and_sign_off

from .conftest import verify

FIGURES = "Check the figures behind each claim (C2)"


@pytest.fixture
def signed_off_without_figures(update_with_a_line, birch_match, provider_director):
    """An evidenced update checked (C1, C3, C4) and signed off (C5), 14 days before its issue date: no
    day's check of the figures has fallen due, and none was recorded."""
    verify(birch_match)
    update = update_with_a_line()
    check_and_sign_off(update, provider_director, codes=chain.SIGNED_OFF_AGAINST)
    return update


def _figures_checks(update):
    return list(chain.run_for(update).step_runs.filter(code=chain.FIGURES_STEP).order_by("due_at"))


def test_an_early_release_waits_for_the_figures_to_be_checked_once(
    signed_off_without_figures, provider_director
):
    update = signed_off_without_figures
    with pytest.raises(ValidationError) as error:
        services.release_update(update, by=provider_director)
    assert f"Checks not recorded yet: {FIGURES}." in error.value.messages

    check_and_sign_off(update, None, codes=[chain.FIGURES_STEP])  # the first day's check, done early
    with pytest.raises(ValidationError) as error:
        services.release_update(update, by=provider_director)
    assert f"The update was signed off (C5) before {FIGURES}: record the sign-off again." in (
        error.value.messages
    )

    chain.record_sign_off(update, by=provider_director, check_done=CHECK_DONE)
    assert services.release_update(update, by=provider_director) is True
    first, *later = _figures_checks(update)
    assert first.state == StepRunState.RECORDED, "the figures were checked once before release"
    assert later and all(step.state == StepRunState.CLOSED for step in later), "the days not come yet"


def test_the_update_page_lists_the_figures_check_until_one_is_recorded(
    client, sign_in, signed_off_without_figures, provider_director
):
    update = signed_off_without_figures
    sign_in(provider_director)
    page = client.get(update.get_absolute_url()).text
    assert f"Checks not recorded yet: {FIGURES}." in page
    assert "Release the update" not in page

    check_and_sign_off(update, provider_director, codes=[chain.FIGURES_STEP])
    page = client.get(update.get_absolute_url()).text
    assert 'data-testid="release-problems"' not in page
    assert "Release the update" in page
