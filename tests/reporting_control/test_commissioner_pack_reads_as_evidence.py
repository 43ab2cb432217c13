"""A commissioner's pack a contract officer can accept: it tells what was learned, by how much an
improvement moved, when a figure was typed over and when the update went out early, and its free text
names no service the reader does not commission.

Found by a tester reading the council's and the integrated care board's packs:
- a line left out of the update went out with its reason as written, "not matched to the Ash Grove error
  … once Elm House's sheet has been trialled there", naming homes the reader does not commission;
- when the learning began at a home the reader does not commission, the pack hid the learning itself
  (what the provider learned, the governance change, the target) along with the incident: "Verified"
  about a learning the officer could not read;
- an improvement line was "Evidenced" with no figure: the movement from baseline that made it so was not
  in the pack;
- a check's figure typed over the system's figure read "no action needed", with nothing saying so;
- an update released two weeks before its issue date did not say so;
- "implementation verified 21 Nov 2026" beside "Verified Sat 21 Nov 2026, 09:30" for one fact.
"""

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.computations import SYSTEM_FIGURES
from providers.choices import Role
from providers.templatetags.nhsuk import london, on_at
from reporting_control import chain, movement, services
from reporting_control.choices import LineKind, LineState
from reporting_control.pack_content import pack_content
from reporting_control.packs import render_pack_html
from tests.factories import (
    CHECK_DONE,
    CommissionerFactory,
    ServiceFactory,
    check_and_sign_off,
    person_with_role,
)

from .conftest import verify

pytestmark = pytest.mark.django_db

REASON = "Not matched to the Ash Grove error; evidenced once Elm House's sheet has been trialled there."


@pytest.fixture
def council(birch_lodge):
    body = CommissionerFactory(name="Lancashire County Council")
    body.services.add(birch_lodge)
    return body


@pytest.fixture
def ash_grove(provider, birch_lodge):
    return ServiceFactory(provider=provider, region=birch_lodge.region, name="Ash Grove")


@pytest.fixture
def learned(trigger):
    """The falls learning as the quality director wrote it: nothing in it names a home."""
    trigger.learning_statement = "Night checks follow each resident's falls-risk plan, not a fixed round."
    trigger.governance_change = "Falls-risk plans are reviewed at every monthly clinical governance meeting."
    trigger.measurable_target = "Every sampled night check follows the plan"
    trigger.save()
    return trigger


def released_update(update, director, *, check_again=False):
    """Released by the Provider Director; `check_again`: its checks recorded again first (a line was
    added since they were)."""
    if check_again:
        check_and_sign_off(update, director)
    services.release_update(update, by=director)
    update.refresh_from_db()
    return update


def test_a_left_out_lines_reason_stays_in_the_providers_record(
    evidenced_update, compliance_manager, provider_director, birch_lodge, council, ash_grove
):
    line = services.add_line(
        evidenced_update,
        by=compliance_manager,
        claim="Birch Lodge has reviewed its handover sheet.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge],
    )
    services.decide_line(line, by=compliance_manager, state=LineState.DEFERRED, reason=REASON)
    update = released_update(evidenced_update, provider_director, check_again=True)

    theirs = html.unescape(render_pack_html(update, council))
    assert "Ash Grove" not in theirs and "Elm House" not in theirs and REASON not in theirs
    assert "Birch Lodge has reviewed its handover sheet." in theirs, "the line itself is about their home"
    assert "Left out of this update: deferred" in theirs
    assert "why is kept in the provider's own record" in theirs
    assert REASON in html.unescape(render_pack_html(update, None)), "the provider's own pack keeps it"


def test_the_learning_is_told_to_a_commissioner_of_another_home(
    evidenced_update, provider_director, council, learned
):
    update = released_update(evidenced_update, provider_director)

    content = pack_content(update, council)
    learning = content["learning"][0]
    assert learning["story"] is False, "the fall happened at Elm House, which the council does not commission"
    assert learning["learning_statement"] == learned.learning_statement
    assert learning["governance_change"] == learned.governance_change
    assert learning["measurable_target"] == learned.measurable_target
    assert learned.what_happened not in str(content) and "Elm House" not in str(content)
    page = render_pack_html(update, council)
    assert "What the provider learned" in page and "Measurable target" in page


def test_learning_words_naming_another_home_stay_in_the_providers_record(
    evidenced_update, provider_director, council, learned
):
    learned.learning_statement = "Elm House's night checks, now followed at every home."
    learned.save()
    update = released_update(evidenced_update, provider_director)

    learning = pack_content(update, council)["learning"][0]
    assert learning["learning_statement"] is None
    assert learning["governance_change"] == learned.governance_change, "only the words naming a home go"
    page = html.unescape(render_pack_html(update, council))
    assert "Elm House" not in page
    assert "Kept in the provider's own record: these words name a service" in page


def test_an_improvement_line_shows_the_movement_that_evidences_it(
    plan, compliance_manager, provider_director, birch_lodge, birch_match, council
):
    verify(birch_match)
    update = plan()
    services.add_line(
        update,
        by=compliance_manager,
        claim="Falls at night at Birch Lodge have fallen since the change.",
        kind=LineKind.IMPROVEMENT,
        services=[birch_lodge],
    )
    analyst = person_with_role(Role.PERFORMANCE_ANALYST, provider=update.provider, username="analyst")
    record = chain.record_computed(
        update,
        chain.FIGURES_STEP,
        by=analyst,
        entered={
            "pct_completing_in_time": 100,
            "incident_rate_7d": 0,
            "movement_from_baseline_pct": {"Line 1": 12},
        },
        check_done=CHECK_DONE,
    )
    check_and_sign_off(update, provider_director, codes=chain.SIGNED_OFF_AGAINST)
    services.release_update(update, by=provider_director)
    update.refresh_from_db()

    line = pack_content(update, council)["lines"][0]
    assert line["movement"] == (
        f"Movement from baseline: 12 % in the check of the figures (C2) recorded by {analyst} "
        f"{on_at(record.recorded_at)}."
    )
    assert "Movement from baseline: 12 %" in render_pack_html(update, council)


def test_a_typed_over_figure_is_said_without_its_figures(evidenced_update, provider_director, council):
    record = movement.latest_figures_check(chain.run_for(evidenced_update))
    name = next(m["name"] for m in record.step_run.measures if m.get("computation"))
    record.values[SYSTEM_FIGURES] = {name: {"system": 33.3, "reason": "Two homes verified late in October."}}
    record.save()
    update = released_update(evidenced_update, provider_director)

    row = next(row for row in pack_content(update, council)["checks"]["rows"] if row["code"] == "C2")
    assert row["typed_over"] == (
        "A figure of this check was entered by hand in place of the system's: the system's figure and "
        "the reason are kept in the provider's own record."
    )
    assert "Two homes verified late" not in render_pack_html(update, council)


def test_an_update_released_long_before_its_issue_date_says_so(evidenced_update, provider_director, council):
    update = released_update(evidenced_update, provider_director)
    days = (update.issue_at - update.released_at).days
    assert days >= 13

    opens = chain.step_run(update, "C1").due_at
    assert update.released_at < opens, "released before the checks' preparation window opened"

    said = pack_content(update, council)["released_early"]
    assert said == (
        f"Released {days} days before its issue date, before the checks' preparation window opened "
        f"{on_at(opens)}: the evidence and the checks are as they stood at release, not in the days "
        "before issue."
    )
    assert said in html.unescape(render_pack_html(update, council))


def test_a_verification_reads_the_same_in_the_lines_as_in_the_learning(
    evidenced_update, provider_director, council, birch_match
):
    update = released_update(evidenced_update, provider_director)
    birch_match.refresh_from_db()

    page = render_pack_html(update, council)
    when = london(birch_match.implementation_confirmed_at)
    assert f"Birch Lodge: implementation verified {when}" in page
    assert f'Verified <span class="when">{when}</span>' in page
    assert birch_match.implementation_confirmed_at < timezone.now() - timedelta(days=1)
