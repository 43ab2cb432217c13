"""A step's page in a care manager's words: where the evidence is, without the seed's old store; a
keypad for whole numbers where only whole numbers are taken; figures without trailing zeros; a
pre-filled figure as the page shows it, kept without being asked why."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import computations
from escalation.values import value_rows

from .conftest import at, step

pytestmark = pytest.mark.django_db

A5_SYSTEM = {"average_confirmation_rate": 66.66666, "repeated_defects": 0, "high_risk_lacking_action": 0}
CHECKED = "Compared with the board's assurance log."


@pytest.fixture
def a5_figures(monkeypatch, time_machine):
    """A5's three figures as the executive summary would compute them, on Tuesday 24 November."""
    time_machine.move_to(at(24, 15), tick=False)
    for key, figure in A5_SYSTEM.items():
        registered = computations.registry.get(key)
        monkeypatch.setitem(
            computations.registry._computations,
            key,
            computations.Computation(
                key, lambda context, figure=figure, **parameters: figure, registered.parameters
            ),
        )


def text_of(response) -> str:
    return unescape(strip_tags(response.text))


def test_the_step_page_says_where_the_evidence_is_in_plain_words(
    client, sign_in, chain_a, people, time_machine
):
    time_machine.move_to(at(23, 9), tick=False)
    sign_in(people.quality_director)
    page = text_of(client.get(reverse("escalation:step_run", args=[step(chain_a, "A1").pk])))
    assert "Kept here: this step's records and the trigger's page." in page
    assert "(was:" not in page and "SharePoint" not in page


def test_whole_number_measures_open_the_number_keypad(client, sign_in, chain_a, people, time_machine):
    time_machine.move_to(at(23, 9), tick=False)
    sign_in(people.governance_officer)
    form = client.get(reverse("escalation:step_run", args=[step(chain_a, "A2").pk])).context["form"]
    # A2: a percentage, then two counts of sampled notices.
    assert form["pct_received_within_4h"].field.widget.attrs["inputmode"] == "decimal"
    for count in ("sampled_with_named_owner", "sampled_due_within_72h"):
        assert form[count].field.widget.attrs["inputmode"] == "numeric", count
        assert 'inputmode="numeric"' in str(form[count])


def test_a_recorded_rate_shows_no_trailing_zeros():
    measures = [{"name": "omissions", "label": "Omissions", "kind": "rate", "unit": "omissions per 100"}]
    assert value_rows(measures, {"omissions": 1.5})[0]["value"] == "1.5"
    assert value_rows(measures, {"omissions": 2})[0]["value"] == "2"
    assert value_rows(measures, {"omissions": 0.0714})[0]["value"] == "0.071"


def test_a5_prefills_the_figure_as_shown_and_keeping_it_asks_no_reason(
    client, sign_in, chain_a, people, a5_figures
):
    sign_in(people.nominated_individual)
    url = reverse("escalation:step_run", args=[step(chain_a, "A5").pk])
    form = client.get(url).context["form"]
    assert form["avg_confirmation_rate"].value() == "66.7"
    kept = {
        name: form[name].value()
        for name in ("avg_confirmation_rate", "repeated_defects", "high_risk_lacking_action")
    }
    page = text_of(client.post(url, kept | {"check_done": CHECKED}, follow=True))
    assert "recorded: within threshold" in page
    assert "66.7 %" in page and "66.700" not in page and "figure was" not in page
