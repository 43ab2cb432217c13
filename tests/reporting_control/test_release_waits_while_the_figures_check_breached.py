"""A tester released an update whose latest check of the figures (C2) had breached: 33.3 % of the matched
services completing the action in time against the 90 % required, after the Provider Director signed off
again. The release box said every line was evidenced and the pack showed the breach and the release in
the same minute. Release now waits until the figures are recorded again within threshold."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from escalation import services as engine
from providers.choices import Role
from providers.templatetags.nhsuk import on_at
from reporting_control import chain, services
from reporting_control.choices import UpdateStatus
from tests.factories import CHECK_DONE, person_with_role

pytestmark = pytest.mark.django_db

# The analyst's figure differs from the system's, so it comes with why.
WHY = {"pct_completing_in_time": "Counted from the services' own sign-off sheets."}


@pytest.fixture
def analyst(provider):
    return person_with_role(Role.PERFORMANCE_ANALYST, provider=provider, username="analyst")


def _figures(update, analyst, pct, notes=""):
    """The analyst's check of the figures; a breach names Birch Lodge as the service behind."""
    return engine.record_step(
        chain.CASES.step_run_in_force(update, chain.FIGURES_STEP, timezone.now()),
        by=analyst,
        values={"pct_completing_in_time": pct, "incident_rate_7d": 0.4, "movement_from_baseline_pct": {}},
        reasons=WHY,
        check_done=CHECK_DONE,
        notes=notes,
        affected_service=update.lines.get().services.get() if pct < 90 else None,
    )


def test_release_waits_while_the_latest_figures_check_breached(evidenced_update, analyst, provider_director):
    breach = _figures(evidenced_update, analyst, 33.3)
    assert breach.breached
    chain.record_sign_off(evidenced_update, by=provider_director, check_done=CHECK_DONE)  # signed off again

    with pytest.raises(ValidationError) as error:
        services.release_update(evidenced_update, by=provider_director)

    explanation = breach.explanation.rstrip(".")
    expected = (
        f"The latest check of the figures behind the claims (C2), recorded {on_at(breach.recorded_at)} by "
        f"{analyst}, breached: {explanation}. Record it again within threshold once the services are back "
        "on track, or hold the update."
    )
    assert expected in error.value.messages
    evidenced_update.refresh_from_db()
    assert evidenced_update.status != UpdateStatus.RELEASED

    _figures(evidenced_update, analyst, 95, notes="Cedar Court caught up.")
    chain.record_sign_off(evidenced_update, by=provider_director, check_done=CHECK_DONE)
    assert services.release_update(evidenced_update, by=provider_director) is True


def test_the_update_page_does_not_offer_release_while_the_figures_breached(
    client, sign_in, evidenced_update, analyst, provider_director
):
    _figures(evidenced_update, analyst, 33.3)
    chain.record_sign_off(evidenced_update, by=provider_director, check_done=CHECK_DONE)

    sign_in(provider_director)
    page = client.get(evidenced_update.get_absolute_url()).text
    assert "The latest check of the figures behind the claims (C2)" in page
    assert "Release the update" not in page
