"""The board assurance check (A5) asks why a figure differs from the system's only of the person who
changes it: each reason box sits folded under its figure ("My figure differs from the system's — say
why"), and opens by itself when it holds a refusal or words already typed. Three open reason boxes on
a form where most people keep the system's figures read as three more questions to answer."""

import re

import pytest
from django.urls import reverse

from escalation import computations
from tests.accessibility import assert_accessible

from .conftest import at, step

pytestmark = pytest.mark.django_db

SYSTEM = {"average_confirmation_rate": 66.66666, "repeated_defects": 0, "high_risk_lacking_action": 0}
KEPT = {"avg_confirmation_rate": "66.7", "repeated_defects": "0", "high_risk_lacking_action": "0"}
REASONS = ["avg_confirmation_rate__reason", "repeated_defects__reason", "high_risk_lacking_action__reason"]
SUMMARY = "My figure differs from the system's — say why"


@pytest.fixture(autouse=True)
def system_figures(monkeypatch, time_machine):
    """A5's three figures as the executive summary would compute them, on Tuesday 24 November."""
    time_machine.move_to(at(24, 15), tick=False)
    for key, figure in SYSTEM.items():
        registered = computations.registry.get(key)
        monkeypatch.setitem(
            computations.registry._computations,
            key,
            computations.Computation(
                key, lambda context, figure=figure, **parameters: figure, registered.parameters
            ),
        )


@pytest.fixture
def a5_page(client, sign_in, chain_a, people):
    sign_in(people.nominated_individual)
    return reverse("escalation:step_run", args=[step(chain_a, "A5").pk])


def reason_details(page: str) -> dict[str, str]:
    """Each reason field's enclosing <details> opening tag, by field name."""
    found = {}
    for opening, body in re.findall(r"(<details[^>]*>)(.*?)</details>", page, flags=re.S):
        for name in REASONS:
            if f'name="{name}"' in body:
                found[name] = opening
    return found


def test_a_fresh_form_folds_each_reason_under_its_figure(client, a5_page):
    page = client.get(a5_page).text
    assert page.count(SUMMARY) == 3
    folded = reason_details(page)
    assert set(folded) == set(REASONS)
    assert all(" open" not in opening for opening in folded.values())
    # Still labelled on the field itself, for whoever opens it.
    assert '<label class="nhsuk-label" for="id_avg_confirmation_rate__reason">' in page
    assert "Why does your figure differ from the system&#x27;s 66.7 %?" in page


def test_a_refused_figure_opens_its_reason_with_the_error_and_the_summary_reaches_it(client, a5_page):
    page = client.post(a5_page, {**KEPT, "avg_confirmation_rate": "100"}).text
    assert "There is a problem" in page
    assert 'href="#id_avg_confirmation_rate__reason"' in page
    assert 'id="id_avg_confirmation_rate__reason"' in page
    shown = reason_details(page)
    assert " open" in shown["avg_confirmation_rate__reason"]
    assert "Say why your figure of 100 % differs from the system&#x27;s 66.7 %." in page
    # The figures kept as the system's stay folded.
    assert " open" not in shown["repeated_defects__reason"]
    assert_accessible(page)


def test_a_reason_already_typed_stays_open(client, a5_page):
    """Refused for another field, the form comes back with the reason showing, not hidden."""
    page = client.post(
        a5_page,
        {**KEPT, "avg_confirmation_rate": "100", REASONS[0]: "Verified on paper.", "repeated_defects": "-1"},
    ).text
    assert "There is a problem" in page
    assert " open" in reason_details(page)["avg_confirmation_rate__reason"]
    assert "Verified on paper." in page
