"""Found on the care-home floor: "250 medication omissions per 100 administrations" and "an average of
99,999,999 minutes to apply the new escalation rule in the drill" were recorded as evidence, while the
deployment's baseline for the same measure stopped at 100. A rate per 100 of something that happens at
most once each is at most 100; minutes on a form are at most a day's (1,440)."""

import json

import pytest

from escalation import loading
from escalation.measures import clean_number

MEASURES = {
    m["name"]: m
    for chain in json.loads(loading.FIXTURE.read_text(encoding="utf-8"))["chains"]
    for step in chain["steps"]
    for m in step["measures"]
}


@pytest.mark.parametrize(
    "name, highest",
    [("omissions_per_100_administrations", 100), ("avg_minutes_to_apply_rule", 1440)],
)
def test_a_figure_past_what_can_happen_is_refused_plainly(name, highest):
    measure = MEASURES[name]
    assert clean_number(measure, str(highest), "It") == highest
    with pytest.raises(ValueError) as refused:
        clean_number(measure, str(highest + 150), "It")
    assert str(refused.value) == f"It cannot be above {highest:,}: {highest + 150} was entered."


def test_every_minutes_measure_stops_at_a_day():
    minutes = [m for m in MEASURES.values() if m["kind"] == "minutes"]
    assert minutes
    for measure in minutes:
        with pytest.raises(ValueError):
            clean_number(measure, "1441", "It")
