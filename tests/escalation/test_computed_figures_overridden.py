"""A figure the system computes may be typed over only with a reason, and the record shows both.

The Nominated Individual's board assurance check (A5) is prefilled with the system's average
implementation-confirmation rate. Typing another figure is allowed (the system does not hold every
record), but never silently: the form asks why, recording refuses it without a reason, and the recorded
values show the system's figure and the reason beside the typed one.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation import computations, services
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db

SYSTEM = {"average_confirmation_rate": 44.4, "repeated_defects": 0, "high_risk_lacking_action": 0}
TYPED = {
    "avg_confirmation_rate": "44.4",
    "repeated_defects": "0",
    "high_risk_lacking_action": "0",
    "check_done": "Compared with the board's assurance log.",
}
REASON_FIELD = "avg_confirmation_rate__reason"
WHY = "Hawthorn House verified on paper on 5 December; the system has not been told yet."


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(24, 15), tick=False)


@pytest.fixture(autouse=True)
def system_figures(monkeypatch):
    """A5's three figures, as the executive summary would compute them."""
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
def a5_page(client, sign_in, chain_a, people, now):
    sign_in(people.nominated_individual)
    return reverse("escalation:step_run", args=[step(chain_a, "A5").pk])


def test_the_form_shows_the_systems_figure_beside_the_field(client, a5_page):
    page = client.get(a5_page).text
    assert "The system&#x27;s figure: 44.4 %" in page
    assert "Why does your figure differ from the system&#x27;s 44.4 %?" in page


def test_the_systems_own_figure_needs_no_reason(client, a5_page, chain_a):
    page = client.post(a5_page, TYPED, follow=True).text
    assert "recorded: within threshold" in page
    record = step(chain_a, "A5").records.get()
    assert record.values["avg_confirmation_rate"] == 44.4
    assert "figure was" not in page


def test_another_figure_without_a_reason_is_refused_on_the_reason_field_and_kept(client, a5_page, chain_a):
    page = client.post(a5_page, {**TYPED, "avg_confirmation_rate": "100"}).text
    assert "There is a problem" in page
    assert f'href="#id_{REASON_FIELD}"' in page  # the error summary names the reason field
    assert "Say why your figure of 100 % differs from the system&#x27;s 44.4 %." in page
    assert 'value="100"' in page  # what was typed is kept
    assert not step(chain_a, "A5").records.exists()


def test_another_figure_with_a_reason_is_recorded_and_shown_with_the_systems(client, a5_page, chain_a):
    page = client.post(
        a5_page, {**TYPED, "avg_confirmation_rate": "100", REASON_FIELD: WHY}, follow=True
    ).text
    assert "recorded: within threshold" in page  # judged on the recorded figure, the override visible
    shown = "(the system&#x27;s figure was 44.4 %: Hawthorn House verified on paper on 5 December"
    assert shown in page
    record = step(chain_a, "A5").records.get()
    assert record.values["avg_confirmation_rate"] == 100
    assert record.values[computations.SYSTEM_FIGURES]["avg_confirmation_rate"] == {
        "system": 44.4,
        "reason": WHY,
    }


def test_a_reason_over_500_characters_is_refused_on_its_field(client, a5_page, chain_a):
    page = client.post(a5_page, {**TYPED, "avg_confirmation_rate": "100", REASON_FIELD: "x" * 501}).text
    assert "There is a problem" in page and "500 characters" in page
    assert not step(chain_a, "A5").records.exists()


def test_recording_refuses_another_figure_without_a_reason_whatever_the_form(chain_a, people, now):
    a5 = step(chain_a, "A5")
    values = {"avg_confirmation_rate": 100, "repeated_defects": 0, "high_risk_lacking_action": 0}
    with pytest.raises(ValidationError) as refused:
        services.record_step(a5, by=people.nominated_individual, values=values, check_done=CHECK_DONE)
    assert list(refused.value.message_dict) == [REASON_FIELD]
    assert "the system's 44.4 %" in refused.value.message_dict[REASON_FIELD][0]
    record = services.record_step(
        a5,
        by=people.nominated_individual,
        values=values,
        reasons={"avg_confirmation_rate": f"  {WHY} "},
        check_done=CHECK_DONE,
    )
    assert record.values[computations.SYSTEM_FIGURES] == {
        "avg_confirmation_rate": {"system": 44.4, "reason": WHY}
    }
    assert not record.breached


def test_a_reason_given_for_the_systems_own_figure_is_not_kept(chain_a, people, now):
    a5 = step(chain_a, "A5")
    values = {"avg_confirmation_rate": 44.4, "repeated_defects": 0, "high_risk_lacking_action": 0}
    record = services.record_step(
        a5,
        by=people.nominated_individual,
        values=values,
        reasons={"avg_confirmation_rate": WHY},
        check_done=CHECK_DONE,
    )
    assert computations.SYSTEM_FIGURES not in record.values


def test_a_breach_raised_on_a_typed_figure_says_so_beside_the_figures_that_decided_it(
    client, sign_in, chain_a, people, now
):
    """Found: the nominated individual typed 2 high-risk services lacking action over the system's 0;
    the escalation it raised showed "2 services" among the values that decided it, as if the system had
    counted them, with the system's 0 and the reason only inside the folded record."""
    why = "Rowan Court's night team is weak and Hawthorn House never acknowledged."
    record = services.record_step(
        step(chain_a, "A5"),
        by=people.nominated_individual,
        values={"avg_confirmation_rate": 44.4, "repeated_defects": 0, "high_risk_lacking_action": 2},
        reasons={"high_risk_lacking_action": why},
        check_done=CHECK_DONE,
    )
    assert record.escalation is not None
    sign_in(people.nominated_individual)
    page = client.get(reverse("escalation:detail", args=[record.escalation.pk])).text
    deciding = page[page.index("The values that decided it") :]
    deciding = deciding[: deciding.index("</table>")]
    assert "the system&#x27;s figure was 0" in deciding
    assert "Rowan Court&#x27;s night team is weak" in deciding
