"""Seed 004: compare the same measure by team, shift and location; never let an average hide a weak
team; judge each group now by its latest observation, so a group that aligned is told from one still weak."""

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from adoption import services
from adoption.models import AdoptionObservation

from .conftest import at, deploy

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployment(match, people):
    return deploy(match, people.registered_manager)


def observe(
    deployment,
    by,
    team,
    shift,
    value,
    code="B2",
    measure="risk_note_updates_same_shift_pct",
    location="",
    when=None,
):
    return services.record_team_observation(
        deployment,
        by=by,
        step_code=code,
        values={measure: value},
        team=team,
        shift_name=shift,
        location=location,
        observed_at=when or at(23, 14),
    )


RISK_NOTES = "risk_note_updates_same_shift_pct"
COMPLETION = "record_completion_pct"
# B2's and B1's threshold rules as the chain fixture writes them.
B2_RULE = {"measure": RISK_NOTES, "op": "<", "value": 93}
B1_RULE = {"change_from_baseline": COMPLETION, "op": "<", "value": 5}
B1_BASELINE_80 = {f"{COMPLETION}__baseline": 80.0}


def frame(rows, measure=RISK_NOTES):
    """A frame of (team, shift, location, observed_at, value) rows, as observations_frame gives."""
    return pd.DataFrame(rows, columns=["team", "shift", "location", "observed_at", measure])


def test_a_weak_team_is_flagged_although_the_service_average_is_above_the_threshold(
    deployment, teams, people
):
    """B2 escalates when same-shift risk-note updates are below 93 %.

    Oak 98 (early) and 97 (late), Ash 99 (early), Yew 88 (late).
    Service average (98 + 97 + 99 + 88) / 4 = 95.5: above 93, the service looks fine.
    By team: Oak 97.5, Ash 99, Yew 88 < 93, weak. By shift: early 98.5, late (97 + 88) / 2 = 92.5 < 93, weak.
    """
    lead = people.clinical_lead
    observe(deployment, lead, teams["Oak"], "early", 98)
    observe(deployment, lead, teams["Oak"], "late", 97)
    observe(deployment, lead, teams["Ash"], "early", 99)
    observe(deployment, lead, teams["Yew"], "late", 88)

    table = services.variation(deployment, "B2", "risk_note_updates_same_shift_pct")

    rows = {(r.dimension, r.group): r for r in table.itertuples()}
    assert rows[("team", "Oak")].value == 97.5 and rows[("team", "Ash")].value == 99
    assert rows[("shift", "early")].value == 98.5 and rows[("shift", "late")].value == 92.5
    assert set(table["service_average"]) == {95.5}
    weak = {(r.dimension, r.group) for r in table.itertuples() if r.breached}
    assert weak == {("team", "Yew"), ("shift", "late")}
    assert not (table["dimension"] == "location").any(), "no location was named, so none is compared"
    assert all(table["breached"] == table["hidden_by_average"])  # the average itself is within threshold


def test_b1_compares_each_group_with_the_deployment_baseline():
    """B1 escalates when completion improves by less than 5 points on the 80 % baseline.

    Team Oak 90 (+10), team Yew 83 (+3): Yew is weak; the average 86.5 (+6.5) hides it.
    """
    frame = pd.DataFrame({"team": ["Oak", "Yew"], "shift": ["", ""], COMPLETION: [90.0, 83.0]})
    table = services.variation_table(frame, B1_RULE, COMPLETION, baselines=B1_BASELINE_80)
    assert list(table["group"]) == ["Oak", "Yew"]
    assert list(table["breached"]) == [False, True]
    assert list(table["hidden_by_average"]) == [False, True]
    assert table["service_average"].iloc[0] == 86.5


def test_when_the_average_breaches_too_the_group_is_weak_but_not_hidden():
    frame = pd.DataFrame({"team": ["Oak", "Yew"], "shift": ["early", "late"], RISK_NOTES: [80.0, 70.0]})
    table = services.variation_table(frame, B2_RULE, RISK_NOTES)
    assert table["breached"].all() and not table["hidden_by_average"].any()


def test_no_observations_give_an_empty_table(deployment):
    assert services.variation(deployment, "B2", "risk_note_updates_same_shift_pct").empty


def test_observations_are_checked(deployment, teams, people, other_provider_service):
    from tests.factories import TeamFactory

    with pytest.raises(ValidationError, match="percentage"):
        observe(deployment, people.clinical_lead, teams["Oak"], "early", 120)
    with pytest.raises(ValidationError, match="no shift called"):
        observe(deployment, people.clinical_lead, teams["Oak"], "weekend", 90)
    with pytest.raises(ValidationError):
        observe(deployment, people.clinical_lead, TeamFactory(service=other_provider_service), "early", 90)
    with pytest.raises(ValidationError, match="Record only measures of B2"):
        observe(deployment, people.clinical_lead, teams["Oak"], "early", 90, measure="made_up")
    with pytest.raises(PermissionDenied):
        observe(deployment, people.quality_director, teams["Oak"], "early", 90)


def test_a_weak_location_is_flagged_although_its_teams_and_shifts_look_fine(deployment, teams, people):
    """B2 again (below 93 is weak). Oak 98 early on the First floor, Ash 95 early in the Garden wing,
    Oak 97 late on the First floor, Ash 90 late in the Garden wing.
    Average 95: fine. Teams: Oak 97.5, Ash 92.5 (weak). Shifts: early 96.5, late 93.5 (fine).
    Locations: First floor 97.5, Garden wing 92.5: weak, and hidden by the average.
    """
    lead = people.clinical_lead
    observe(deployment, lead, teams["Oak"], "early", 98, location="First floor")
    observe(deployment, lead, teams["Ash"], "early", 95, location="Garden wing")
    observe(deployment, lead, teams["Oak"], "late", 97, location="First floor")
    observe(deployment, lead, teams["Ash"], "late", 90, location="Garden wing")

    table = services.variation(deployment, "B2", "risk_note_updates_same_shift_pct")

    locations = table[table["dimension"] == "location"].set_index("group")
    assert locations.loc["First floor", "value"] == 97.5 and locations.loc["Garden wing", "value"] == 92.5
    assert locations.loc["Garden wing", "hidden_by_average"] and not locations.loc["First floor", "breached"]
    weak = {(r.dimension, r.group) for r in table.itertuples() if r.breached}
    assert weak == {("team", "Ash"), ("location", "Garden wing")}


def test_a_location_alone_names_the_group_and_is_spelt_as_first_recorded(deployment, people):
    lead = people.clinical_lead
    observe(deployment, lead, None, "", 96, location="  First floor ")
    second = observe(deployment, lead, None, "", 90, location="first   FLOOR")
    assert second.location == "First floor", "spaces trimmed and the first spelling kept"
    table = services.variation(deployment, "B2", "risk_note_updates_same_shift_pct")
    assert list(table["group"]) == ["First floor"] and table["observations"].iloc[0] == 2


def test_an_observation_must_name_a_team_a_shift_or_a_location(deployment, people):
    with pytest.raises(ValidationError, match="Name the team, the shift or the location"):
        observe(deployment, people.clinical_lead, None, "", 96, location="   ")
    with pytest.raises(ValidationError, match="60 characters"):
        observe(deployment, people.clinical_lead, None, "", 96, location="x" * 61)
    assert not deployment.observations.exists()
    # The database holds the same rule, for rows written around the service.
    with pytest.raises(IntegrityError):
        AdoptionObservation.objects.create(
            deployment=deployment,
            step_code="B2",
            values={"risk_note_updates_same_shift_pct": 90},
            observed_at=at(23, 14),
            recorded_by=people.clinical_lead,
        )


def test_each_group_is_judged_now_by_its_latest_observation():
    """B2: below 93 is weak. Oldest first:
    Yew 88 then 95: weak earlier, aligned since the 95 (its mean 91.5 still breaches).
    Ash 99 then 90: weak now, although its mean 94.5 is within the threshold.
    Oak 70, 95, 80, 94, 96: aligned since the 94, the first of the run after its last breach.
    """
    table = services.variation_table(
        frame(
            [
                ("Yew", "", "", at(23, 8), 88.0),
                ("Ash", "", "", at(23, 9), 99.0),
                ("Oak", "", "", at(23, 10), 70.0),
                ("Oak", "", "", at(24, 10), 95.0),
                ("Yew", "", "", at(24, 11), 95.0),
                ("Ash", "", "", at(24, 12), 90.0),
                ("Oak", "", "", at(25, 10), 80.0),
                ("Oak", "", "", at(26, 10), 94.0),
                ("Oak", "", "", at(27, 10), 96.0),
            ]
        ),
        B2_RULE,
        RISK_NOTES,
    )
    rows = table.set_index("group")
    assert (rows.loc["Yew", "breached"], rows.loc["Yew", "weak_now"]) == (True, False)
    assert rows.loc["Yew", "aligned_since"] == at(24, 11) and rows.loc["Yew", "latest"] == 95
    assert (rows.loc["Ash", "breached"], rows.loc["Ash", "weak_now"]) == (False, True)
    assert rows.loc["Ash", "latest"] == 90 and rows.loc["Ash", "latest_at"] == at(24, 12)
    assert pd.isna(rows.loc["Ash", "aligned_since"])
    assert rows.loc["Oak", "aligned_since"] == at(26, 10) and not rows.loc["Oak", "weak_now"]


def test_latest_means_latest_observed_not_latest_entered(deployment, teams, people):
    """A figure entered late for an earlier shift does not stand for the group now."""
    lead = people.clinical_lead
    observe(deployment, lead, teams["Yew"], "late", 96, when=at(24, 14))
    observe(deployment, lead, teams["Yew"], "late", 85, when=at(23, 14))  # entered second, observed first
    table = services.variation(deployment, "B2", "risk_note_updates_same_shift_pct")
    yew = table[table["group"] == "Yew"].iloc[0]
    assert yew["latest"] == 96 and not yew["weak_now"] and yew["aligned_since"] == at(24, 14)


def test_b1_judges_the_latest_figure_against_the_baseline_too():
    """B1 on an 80 % baseline: under 5 points of improvement is weak. Oak 90 then 83 (+3): weak now,
    though its mean 86.5 (+6.5) is fine. Yew 82 then 86 (+6): aligned."""
    table = services.variation_table(
        frame(
            [
                ("Oak", "", "", at(23, 10), 90.0),
                ("Yew", "", "", at(23, 11), 82.0),
                ("Oak", "", "", at(24, 10), 83.0),
                ("Yew", "", "", at(24, 11), 86.0),
            ],
            COMPLETION,
        ),
        B1_RULE,
        COMPLETION,
        baselines=B1_BASELINE_80,
    )
    rows = table.set_index("group")
    assert rows.loc["Oak", "weak_now"] and not rows.loc["Oak", "breached"]
    assert not rows.loc["Yew", "weak_now"] and rows.loc["Yew", "aligned_since"] == at(24, 11)


def test_a_measure_without_a_threshold_is_never_weak(deployment, teams, people):
    observe(
        deployment, people.service_improvement_lead, teams["Oak"], "early", 7, "B1", "responses_over_10_min"
    )
    table = services.variation(deployment, "B1", "responses_over_10_min")
    assert not table["breached"].any() and not table["weak_now"].any()
    assert table["latest"].iloc[0] == 7


def observe_b4(deployment, by, team, unresolved, concerns, when=None):
    return services.record_team_observation(
        deployment,
        by=by,
        step_code="B4",
        values={"unresolved_tasks_over_2h": unresolved, "resident_impact_concerns": concerns},
        team=team,
        observed_at=when or at(23, 20),
    )


def test_b4s_and_rule_is_judged_as_and_for_each_group(deployment, teams, people):
    """B4 escalates when unresolved tasks over 2 h > 2 AND resident-impact concerns > 1.

    Yew 5 unresolved, 0 concerns: only one half breached, so not weak.
    Ash 4 unresolved, 3 concerns: both halves, weak. Oak 0 and 0.
    Service means: unresolved 3 (> 2), concerns 1 (not > 1): the service passes, which hides Ash.
    """
    manager = people.registered_manager
    observe_b4(deployment, manager, teams["Yew"], 5, 0)
    observe_b4(deployment, manager, teams["Ash"], 4, 3)
    observe_b4(deployment, manager, teams["Oak"], 0, 0)

    for measure in ("unresolved_tasks_over_2h", "resident_impact_concerns"):
        table = services.variation(deployment, "B4", measure).set_index("group")
        assert table.loc["Ash", "hidden_by_average"] and table.loc["Ash", "weak_now"]
        assert not table.loc["Yew", "breached"] and not table.loc["Yew", "weak_now"]
    weak = services.weak_now_groups(services.variation_sections(deployment))
    assert [(g["code"], g["group"]) for g in weak] == [("B4", "Ash")], "once per group, not per measure"


def test_a_group_that_gave_only_one_half_of_an_and_rule_is_not_judged_weak(deployment, teams, people):
    """Yew's 6 unresolved tasks alone cannot show B4's AND breached: its concerns were not recorded."""
    services.record_team_observation(
        deployment,
        by=people.registered_manager,
        step_code="B4",
        values={"unresolved_tasks_over_2h": 6},
        team=teams["Yew"],
        observed_at=at(23, 20),
    )
    table = services.variation(deployment, "B4", "unresolved_tasks_over_2h")
    assert not table["breached"].any() and not table["weak_now"].any()


def test_an_and_rule_judges_both_halves_as_they_stand_after_each_observation(deployment, teams, people):
    """B4, a figure or two at a time; the half not given stands at the group's latest.

    Yew: 5 unresolved and 3 concerns (weak), then 0 concerns (5 and 0: within), then 5 unresolved
    again (still 5 and 0: within, though 5 unresolved was weak beside 3 concerns): aligned since the
    0 concerns. Oak: 5 and 0 (within), then 3 concerns (5 and 3): weak now. Ash: 5 and 3 once, the
    figures Yew was weak with: weak now. The deployment page's sections say the same as each
    measure's table.
    """
    manager = people.registered_manager
    for team, values, when in [
        ("Yew", {"unresolved_tasks_over_2h": 5, "resident_impact_concerns": 3}, at(23, 10)),
        ("Oak", {"unresolved_tasks_over_2h": 5, "resident_impact_concerns": 0}, at(23, 10, minute=30)),
        ("Yew", {"resident_impact_concerns": 0}, at(23, 11)),
        ("Yew", {"unresolved_tasks_over_2h": 5}, at(23, 12)),
        ("Ash", {"unresolved_tasks_over_2h": 5, "resident_impact_concerns": 3}, at(23, 13)),
        ("Oak", {"resident_impact_concerns": 3}, at(23, 14)),
    ]:
        services.record_team_observation(
            deployment, by=manager, step_code="B4", values=values, team=teams[team], observed_at=when
        )
    sections = {s["measure"]: s for s in services.variation_sections(deployment) if s["code"] == "B4"}
    assert sorted(sections) == ["resident_impact_concerns", "unresolved_tasks_over_2h"]
    for measure, section in sections.items():
        table = services.variation(deployment, "B4", measure)
        pd.testing.assert_frame_equal(pd.DataFrame(section["rows"], columns=list(table.columns)), table)
        rows = table.set_index("group")
        assert not rows.loc["Yew", "weak_now"] and rows.loc["Yew", "aligned_since"] == at(23, 11)
        assert rows.loc["Oak", "weak_now"] and pd.isna(rows.loc["Oak", "aligned_since"])
        assert rows.loc["Ash", "weak_now"]
    assert sections["unresolved_tasks_over_2h"]["rows"][2]["observations"] == 2, "Yew gave it twice"
