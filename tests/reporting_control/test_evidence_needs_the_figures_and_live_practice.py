"""Two testers found lines "Evidenced" on less than the claim says.

(a) "Night-time falls at Rowan Court have fallen by 50%" (an improvement) was evidenced as soon as it was
saved, because Rowan Court's implementation was verified: verification says nothing about falls going
down. An improvement line now also needs the latest check of the figures (C2) to record a movement from
baseline above zero for it.

(b) "Rowan Court records night checks in real time on both floors" was evidenced by a verification an
hour after the learning went live there, before any check of live practice was recorded. At a service
whose learning has gone live, a verification counts only once a check of live practice (chain B) has
been recorded there since go-live.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from adoption import chain as adoption_chain
from escalation import services as engine
from providers.choices import Role
from providers.templatetags.nhsuk import london
from reporting_control import chain, evidence, services
from reporting_control.choices import LineKind, LineState
from tests.factories import CHECK_DONE, person_with_role

from .conftest import verify
from .test_pack_tells_live_practice import deploy, make_deployable

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(provider):
    return person_with_role(Role.PERFORMANCE_ANALYST, provider=provider, username="analyst")


def _verdict(update):
    ((line, verdict),) = evidence.judge_update(update).items()
    return verdict


def _movement(update, analyst, movement, notes=""):
    return chain.record_computed(
        update,
        chain.FIGURES_STEP,
        by=analyst,
        entered={
            "pct_completing_in_time": 100,
            "incident_rate_7d": 0,
            "movement_from_baseline_pct": {"Line 1": movement},
        },
        check_done=CHECK_DONE,
        notes=notes,
    )


def test_an_improvement_is_evidenced_only_once_the_figures_show_it(
    plan, compliance_manager, birch_lodge, birch_match, analyst
):
    verify(birch_match)
    update = plan()
    line = services.add_line(
        update,
        by=compliance_manager,
        claim="Night-time falls at Birch Lodge have fallen by 50%.",
        kind=LineKind.IMPROVEMENT,
        services=[birch_lodge],
    )
    assert line.state == LineState.LACKING
    assert "has not been checked against the figures (C2)" in line.evidence_note
    assert "Birch Lodge: implementation verified" in line.evidence_note

    _movement(update, analyst, -10)
    verdict = _verdict(update)
    assert not verdict.evidenced
    assert "-10 %" in verdict.note and "goes against the claim" in verdict.note
    assert evidence.c1_measures(evidence.judge_update(update))["lines_lacking_service_evidence"] == 1

    _movement(update, analyst, 20, notes="Recounted from the falls log.")
    assert _verdict(update).evidenced
    assert evidence.c1_measures(evidence.judge_update(update))["lines_lacking_service_evidence"] == 0


@pytest.fixture
def live_at_birch(birch_match, operations_director):
    """Birch Lodge's learning went live three days ago; its implementation was verified two days ago."""
    manager = person_with_role(Role.REGISTERED_MANAGER, service=birch_match.service, username="rm-birch")
    make_deployable(birch_match, manager, operations_director)
    deployment = deploy(birch_match, manager, timezone.now() - timedelta(days=3))
    verify(birch_match, by=operations_director)
    return deployment


def check_live_practice(deployment, service, now=None):
    """Birch Lodge's service improvement lead records the first shift check (B1) since go-live."""
    lead = person_with_role(Role.SERVICE_IMPROVEMENT_LEAD, service=service, username="sil-birch")
    first = adoption_chain.run_for(deployment).step_runs.filter(code="B1").order_by("due_at").first()
    engine.record_step(
        first,
        by=lead,
        values={"record_completion_pct": 90, "responses_over_10_min": 0, "repeat_errors_3_interactions": 0},
        check_done="Care notes against task times.",
        now=now,
    )


def test_a_verification_where_the_learning_is_live_needs_a_check_of_live_practice(
    update_with_a_line, live_at_birch, birch_lodge
):
    update = update_with_a_line()
    line = update.lines.get()
    assert line.state == LineState.LACKING
    went_live = london(live_at_birch.deployed_at)
    assert (
        f"verified, but no check of live practice recorded at Birch Lodge since it went live on {went_live}"
        in line.evidence_note
    )

    check_live_practice(live_at_birch, birch_lodge, now=live_at_birch.deployed_at + timedelta(hours=20))
    verdict = _verdict(update)
    assert verdict.evidenced, verdict.note


def test_a_service_not_live_yet_keeps_the_verification_rule(update_with_a_line, birch_match):
    verify(birch_match)
    assert update_with_a_line().lines.get().state == LineState.EVIDENCED


# --- found: the line card kept its saved verdict after the figures or live practice changed it ---


def _stale(client, update) -> str:
    page = client.get(update.get_absolute_url()).text
    if 'data-testid="evidence-stale"' not in page:
        return ""
    return page.split('data-testid="evidence-stale"', 1)[1].split("</div>", 1)[0]


def test_a_check_of_the_figures_after_the_evidence_check_says_the_evidence_may_be_out_of_date(
    client, sign_in, plan, compliance_manager, birch_lodge, birch_match, analyst
):
    verify(birch_match)
    update = plan()
    services.add_line(
        update,
        by=compliance_manager,
        claim="Night-time falls at Birch Lodge have fallen by 50%.",
        kind=LineKind.IMPROVEMENT,
        services=[birch_lodge],
    )
    services.check_evidence(update, by=compliance_manager)
    sign_in(compliance_manager)
    assert _stale(client, update) == ""

    _movement(update, analyst, 20)  # the line would now be evidenced; its card still says lacking
    stale = _stale(client, update)
    assert "a check of the figures (C2) was recorded" in stale
    assert "check the evidence again" in stale


def test_a_check_of_live_practice_after_the_evidence_check_says_the_evidence_may_be_out_of_date(
    client, sign_in, update_with_a_line, live_at_birch, birch_lodge, compliance_manager
):
    update = update_with_a_line()
    services.check_evidence(update, by=compliance_manager)
    sign_in(compliance_manager)
    assert _stale(client, update) == ""

    check_live_practice(live_at_birch, birch_lodge)
    stale = _stale(client, update)
    assert "a check of live practice was recorded at Birch Lodge" in stale


def test_a_verification_counted_says_when_live_practice_is_off_track_now(
    update_with_a_line, live_at_birch, birch_lodge
):
    """Found: "Rowan Court has adopted real-time night checks" read "Evidenced … implementation verified"
    while fourteen of its shift checks were overdue and its night team weak. The rule is unchanged (a
    verification, checked live since go-live); the evidence now says what the shifts show."""
    update = update_with_a_line()
    check_live_practice(live_at_birch, birch_lodge, now=live_at_birch.deployed_at + timedelta(hours=20))
    verdict = _verdict(update)
    assert verdict.evidenced
    went_live = london(live_at_birch.deployed_at)
    assert f"live practice off track when checked: Live since {went_live}: " in verdict.note
    assert "checks overdue" in verdict.note
