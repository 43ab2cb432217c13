"""A pack never counts a service as evidenced without saying what live practice showed there.

Found by a tester reading the demo's commissioner pack: "Line 1 · Named-service outcome · Evidenced"
and "Rowan Court — Verified Fri 4 Dec 2026, 10:30", while the learning went live at Rowan Court an hour
later and no adoption check had been recorded when the update was released (the first already overdue).
The pack said nothing about live adoption. Its page 1 read "Evidenced for your services: 1 of its 1 line
about them", and the pack list showed "Built" days after "Released" with no word on what it was built
from.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from adoption import chain as adoption_chain
from adoption import services as adoption
from escalation import services as engine
from learning_transfer.models import ImplementationLead, MatchedService
from providers.choices import Role
from providers.templatetags.nhsuk import london
from reporting_control import services
from reporting_control.choices import LineKind
from reporting_control.live_adoption import live_practice
from reporting_control.packs import pack_context, render_pack_html
from tests.factories import CommissionerFactory, ShiftPatternFactory, check_and_sign_off, person_with_role

from .conftest import send_notice, verify

pytestmark = pytest.mark.django_db

NOT_RECORDED = "No check of live practice had been recorded at Birch Lodge when this update was released."


@pytest.fixture
def council(birch_lodge, cedar_court):
    council = CommissionerFactory(name="Northshire County Council")
    council.services.add(birch_lodge, cedar_court)
    return council


def make_deployable(match, manager, operations):
    """Shifts at the service, its notice received and its implementation lead confirmed."""
    for name, start, end in (
        ("early", "07:00", "15:00"),
        ("late", "14:00", "22:00"),
        ("night", "21:30", "07:30"),
    ):
        ShiftPatternFactory(service=match.service, name=name, start=start, end=end)
    send_notice(match, operations)
    ImplementationLead.objects.create(
        matched_service=match,
        person=manager,
        confirmed_at=timezone.now() - timedelta(days=9),
        confirmed_by=manager,
    )
    match.refresh_from_db()


def deploy(match, by, deployed_at):
    return adoption.deploy_learning(
        match,
        by=by,
        deploy_anyway=True,
        deployed_at=deployed_at,
        baseline_completion_pct=80,
        baseline_omissions_per_100=2,
        baseline_wound_care_pct=88,
        baseline_risk_note_pct=90,
        baseline_drill_pct=85,
    )


@pytest.fixture
def manager(birch_lodge):
    return person_with_role(Role.REGISTERED_MANAGER, service=birch_lodge, username="rm-birch")


@pytest.fixture
def lead(birch_lodge):
    return person_with_role(Role.SERVICE_IMPROVEMENT_LEAD, service=birch_lodge, username="sil-birch")


def release_one_line(update_with_a_line, provider_director):
    update = update_with_a_line()
    check_and_sign_off(update, provider_director)
    services.release_update(update, by=provider_director)
    update.refresh_from_db()
    return update


def test_a_service_counted_as_evidenced_with_no_check_recorded_says_so_in_one_sentence(
    update_with_a_line, provider_director, birch_match, manager, operations_director, council
):
    make_deployable(birch_match, manager, operations_director)
    deployment = deploy(birch_match, manager, timezone.now() - timedelta(days=3))
    verify(birch_match, by=operations_director)  # two days ago: after going live

    # Verified after going live but never checked in live practice: the line lacks evidence, so the
    # update is not released (evidence.py), and a pack built now says why.
    update = update_with_a_line()
    check_and_sign_off(update, provider_director)
    with pytest.raises(ValidationError):
        services.release_update(update, by=provider_director)
    html = render_pack_html(update, council)

    assert "Line 1 of the update · Named-service outcome · Lacking evidence" in html
    assert "verified, but no check of live practice recorded at Birch Lodge since it went live" in html
    assert f"The learning had been live at Birch Lodge since {london(deployment.deployed_at)}." in html
    page_one = html.split("The learning reported on")[0]
    built = NOT_RECORDED.replace("when this update was released", "when this pack was built")
    assert f'<p class="summary">{built}</p>' in page_one
    assert "had fallen due by then and none was recorded." in html
    assert "Not recorded: Check clinical records follow the change (B2), due" in html
    assert "verified before the learning went live" not in html


def test_checks_recorded_and_breached_at_release_are_counted_and_later_ones_are_not(
    update_with_a_line, provider_director, birch_match, manager, lead, operations_director, council
):
    make_deployable(birch_match, manager, operations_director)
    deployment = deploy(birch_match, manager, timezone.now() - timedelta(days=3))
    verify(birch_match, by=operations_director)
    first = adoption_chain.run_for(deployment).step_runs.filter(code="B1").order_by("due_at").first()
    # 81 % against an 80 % baseline: under 5 points better, so the check breaches its threshold.
    engine.record_step(
        first,
        by=lead,
        values={"record_completion_pct": 81, "responses_over_10_min": 0, "repeat_errors_3_interactions": 0},
        check_done="Care notes against task times.",
        now=first.due_at - timedelta(minutes=5),
    )
    adoption.record_team_observation(
        deployment,
        by=lead,
        step_code="B1",
        values={"record_completion_pct": 79},
        shift_name="early",
        observed_at=deployment.deployed_at + timedelta(hours=1),  # 10:30, in the early shift
    )

    update = release_one_line(update_with_a_line, provider_director)
    kept = pack_context(update, council)["pack"]["live_practice"]

    (birch,) = kept
    said = " ".join(birch["sentences"])
    assert NOT_RECORDED not in said
    assert "and 1 was recorded." in said
    assert "Of the checks recorded, 1 breached its threshold." in said
    assert "Weak then: " in said and "early shift: Care-record completion" in said and "latest 79" in said

    # Recorded after release: the pack still says what was true at release.
    later = adoption_chain.run_for(deployment).step_runs.filter(code="B1", records__isnull=True).first()
    engine.record_step(
        later,
        by=lead,
        values={"record_completion_pct": 95, "responses_over_10_min": 0, "repeat_errors_3_interactions": 0},
        check_done="Care notes against task times.",
        now=timezone.now() + timedelta(minutes=5),
    )
    assert pack_context(update, council)["pack"]["live_practice"] == kept


def test_a_verification_dated_before_the_learning_went_live_is_said(
    update_with_a_line, provider_director, birch_match, manager, operations_director, council
):
    make_deployable(birch_match, manager, operations_director)
    verify(birch_match, by=operations_director)  # two days ago
    went_live = timezone.now() - timedelta(days=1)
    deployment = deploy(birch_match, manager, went_live)
    lead = person_with_role(Role.SERVICE_IMPROVEMENT_LEAD, service=birch_match.service, username="sil-birch")
    first = adoption_chain.run_for(deployment).step_runs.filter(code="B1").order_by("due_at").first()
    engine.record_step(  # live practice checked since go-live: the verification counts
        first,
        by=lead,
        values={"record_completion_pct": 90, "responses_over_10_min": 0, "repeat_errors_3_interactions": 0},
        check_done="Care notes against task times.",
        now=went_live + timedelta(hours=12),
    )

    html = render_pack_html(release_one_line(update_with_a_line, provider_director), council)

    assert f"Birch Lodge: verified before the learning went live on {london(went_live)}." in html
    assert (
        f"before the learning went live on {london(went_live)}." in html.split("What live practice showed")[1]
    )


def test_a_verified_service_never_deployed_is_not_live(
    update_with_a_line, provider_director, birch_match, council
):
    verify(birch_match)

    html = render_pack_html(release_one_line(update_with_a_line, provider_director), council)

    assert "The learning was not live at Birch Lodge when this update was released" in html
    assert NOT_RECORDED in html


def test_live_practice_is_read_in_the_same_queries_for_one_service_or_several(
    trigger, birch_match, cedar_match, manager, operations_director, django_assert_max_num_queries
):
    cedar_manager = person_with_role(
        Role.REGISTERED_MANAGER, service=cedar_match.service, username="rm-cedar"
    )
    for match, person in ((birch_match, manager), (cedar_match, cedar_manager)):
        make_deployable(match, person, operations_director)
        deploy(match, person, timezone.now() - timedelta(days=3))
        verify(match, by=operations_director)
    both = list(MatchedService.objects.filter(trigger=trigger).select_related("service", "trigger"))

    with django_assert_max_num_queries(5):
        found = live_practice(both, timezone.now())
    assert {practice.service for practice in found.values()} == {"Birch Lodge", "Cedar Court"}
    assert all(practice.due > 0 for practice in found.values())


@pytest.mark.parametrize(
    ("verified", "expected"),
    [
        (["birch"], "The 1 line about your services is evidenced."),
        (["birch", "cedar"], "All 2 lines about your services are evidenced."),
        (["birch"], "1 of the 2 lines about your services is evidenced (1 lacking evidence)."),
        ([], "Nothing in this update is evidenced for your services yet: its 2 lines about Birch Lodge"),
    ],
    ids=["1-of-1", "2-of-2", "1-of-2", "0-of-2"],
)
def test_page_one_says_how_many_lines_are_evidenced_in_plain_words(
    plan, compliance_manager, birch_match, cedar_match, birch_lodge, cedar_court, council, verified, expected
):
    for name in verified:
        verify({"birch": birch_match, "cedar": cedar_match}[name])
    update = plan()
    services.add_line(
        update,
        by=compliance_manager,
        claim="Birch Lodge checks at night.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge],
    )
    if expected != "The 1 line about your services is evidenced.":
        services.add_line(
            update,
            by=compliance_manager,
            claim="Cedar Court checks at night.",
            kind=LineKind.NAMED_SERVICE,
            services=[cedar_court],
        )

    assert expected in render_pack_html(update, council)


def test_the_pack_list_says_a_pack_was_built_from_the_update_as_released(
    evidenced_update, provider_director, birch_lodge, client, sign_in, django_capture_on_commit_callbacks
):
    council = CommissionerFactory(name="Northshire County Council")
    council.services.add(birch_lodge)
    reader = person_with_role(
        Role.COMMISSIONER, commissioner=council, provider=evidenced_update.provider, username="reader"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.release_update(evidenced_update, by=provider_director)
    evidenced_update.refresh_from_db()

    sign_in(reader)
    page = client.get(reverse("reporting_control:commissioner_packs")).text

    assert f"from the update as released on {london(evidenced_update.released_at)}" in page
