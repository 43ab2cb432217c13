"""Seed 004: compare the same measure by team and shift; never let an average hide a weak team."""

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from adoption import services

from .conftest import at, deploy

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployment(match, people):
    return deploy(match, people.registered_manager)


def observe(deployment, by, team, shift, value, code="B2", measure="risk_note_updates_same_shift_pct"):
    return services.record_team_observation(
        deployment,
        by=by,
        step_code=code,
        values={measure: value},
        team=team,
        shift_name=shift,
        observed_at=at(23, 14),
    )


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
    assert all(table["breached"] == table["hidden_by_average"])  # the average itself is within threshold


def test_b1_compares_each_group_with_the_deployment_baseline():
    """B1 escalates when completion improves by less than 5 points on the 80 % baseline.

    Team Oak 90 (+10), team Yew 83 (+3): Yew is weak; the average 86.5 (+6.5) hides it.
    """
    frame = pd.DataFrame({"team": ["Oak", "Yew"], "shift": ["", ""], "value": [90.0, 83.0]})
    table = services.variation_table(frame, op="<", limit=5, offset=80)
    assert list(table["group"]) == ["Oak", "Yew"]
    assert list(table["breached"]) == [False, True]
    assert list(table["hidden_by_average"]) == [False, True]
    assert table["service_average"].iloc[0] == 86.5


def test_when_the_average_breaches_too_the_group_is_weak_but_not_hidden():
    frame = pd.DataFrame({"team": ["Oak", "Yew"], "shift": ["early", "late"], "value": [80.0, 70.0]})
    table = services.variation_table(frame, op="<", limit=91)
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
