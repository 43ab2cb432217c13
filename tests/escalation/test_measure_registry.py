"""Measures are data: each fixture measure names its computation, and start-up is refused when the
fixture and the registry of computations disagree (a measure renamed, a computation left over)."""

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from escalation import checks, computations, loading

from .conftest import at, step

FIXTURE = loading.FIXTURE


def fixture_copy(tmp_path, monkeypatch, change) -> None:
    """A copy of fixtures/chains.json with `change(measures by name)` applied, read by the check."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    measures = {m["name"]: m for chain in data["chains"] for s in chain["steps"] for m in s["measures"]}
    change(measures, data)
    path = tmp_path / "chains.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(loading, "FIXTURE", path)


def start_up_refusal() -> str:
    """What `manage.py check` (run by every start-up command) says when it refuses."""
    with pytest.raises(SystemCheckError) as refused:
        call_command("check")
    return str(refused.value)


def test_the_real_fixture_and_the_registry_agree():
    assert checks.measure_computations() == []
    call_command("check")  # no SystemCheckError


def test_every_fixture_measure_says_how_it_is_computed():
    measures = [m for chain in loading.read_fixture() for s in chain["steps"] for m in s["measures"]]
    assert all("computation" in m for m in measures)
    computed = {m["computation"] for m in measures if m["computation"]}
    assert computed <= computations.registry.keys()


def test_renaming_a_measures_computation_refuses_start_up(tmp_path, monkeypatch):
    def rename(measures, data):
        measures["pct_received_within_4h"]["computation"] = "notices_received_in_time"

    fixture_copy(tmp_path, monkeypatch, rename)
    message = start_up_refusal()
    assert (
        "Measure 'pct_received_within_4h' of step A2 names computation 'notices_received_in_time', "
        "which no app registers." in message
    )
    assert (
        "Computation 'notices_received_in_window' is registered but no measure in fixtures/chains.json "
        "names it." in message
    )


def test_renaming_a_measure_its_rule_reads_refuses_start_up(tmp_path, monkeypatch):
    def rename(measures, data):
        measures["pct_received_within_4h"]["name"] = "pct_received_in_time"

    fixture_copy(tmp_path, monkeypatch, rename)
    message = start_up_refusal()
    assert "fixtures/chains.json cannot be loaded" in message
    assert "Step A2" in message and "pct_received_within_4h" in message


def test_a_measure_that_does_not_say_how_it_is_computed_refuses_start_up(tmp_path, monkeypatch):
    def forget(measures, data):
        del measures["linked_complaints_30d"]["computation"]

    fixture_copy(tmp_path, monkeypatch, forget)
    assert "Measure 'linked_complaints_30d' of step C3 does not say how it is computed." in start_up_refusal()


def test_parameters_the_computation_does_not_take_refuse_start_up(tmp_path, monkeypatch):
    def rename_parameter(measures, data):
        measures["safeguarding_alerts_30d"]["parameters"] = {"weeks": 4}
        measures["safeguarding_alerts_30d"]["label"] = "Safeguarding alerts in matched services"

    fixture_copy(tmp_path, monkeypatch, rename_parameter)
    assert (
        "computation 'matched_safeguarding_alerts' takes parameters days; missing days." in start_up_refusal()
    )


def test_a_window_of_zero_in_the_fixture_refuses_start_up(tmp_path, monkeypatch):
    def zero(measures, data):
        measures["pct_received_within_4h"]["parameters"] = {"window_hours": 0}

    fixture_copy(tmp_path, monkeypatch, zero)
    assert "Receipt window must be a whole number of hours from 1 to 168, not 0." in start_up_refusal()


@pytest.mark.parametrize(
    ("check_method", "refusal"),
    [
        (
            "A {sample_sise}-notice sample.",
            "shows {sample_sise}, which is not a parameter of the step",
        ),
        (
            "A {sample_size}-notice sample.",
            "measures give as 10 and 12: give them one value",
        ),
    ],
)
def test_a_check_method_showing_no_single_parameter_refuses_start_up(
    tmp_path, monkeypatch, check_method, refusal
):
    def change(measures, data):
        a2 = next(s for chain in data["chains"] for s in chain["steps"] if s["code"] == "A2")
        a2["check_method"] = check_method
        measures["sampled_with_named_owner"]["parameters"] = {"sample_size": 10}

    fixture_copy(tmp_path, monkeypatch, change)
    message = start_up_refusal()
    assert "Step A2" in message and refusal in message and "The check method shows" in message


def test_a_registered_computation_no_measure_names_refuses_start_up(monkeypatch):
    monkeypatch.setitem(
        computations.registry._computations,
        "staff_turnover",
        computations.Computation("staff_turnover", lambda context: 0),
    )
    assert (
        "Computation 'staff_turnover' is registered but no measure in fixtures/chains.json names it."
        in start_up_refusal()
    )


def test_registering_a_key_twice_with_another_function_is_refused():
    with pytest.raises(Exception, match="registered twice"):
        computations.registry.register("repeated_defects", lambda context: 0)


# --- a figure that cannot be computed ----------------------------------------------------------------


def test_a_figure_that_cannot_be_computed_says_why_on_the_step_form(
    client, sign_in, chain_a, people, time_machine
):
    """chain_a's subject is not a learning trigger, so none of A2's figures can be computed: each field
    says so, with the reason, instead of being left blank without a word."""
    time_machine.move_to(at(23, 10, 30), tick=False)
    sign_in(people.governance_officer)
    page = client.get(reverse("escalation:step_run", args=[step(chain_a, "A2").pk])).text
    assert page.count("Could not compute: this case is not about a learning trigger.") == 3


def broken(context, window_hours):
    raise ZeroDivisionError("a fault in the computation")


def test_a_fault_in_a_computation_fails_loudly_in_tests(chain_a, monkeypatch):
    monkeypatch.setitem(
        computations.registry._computations,
        "notices_received_in_window",
        computations.Computation("notices_received_in_window", broken),
    )
    with pytest.raises(ZeroDivisionError):
        computations.compute(step(chain_a, "A2"))


def test_in_production_a_fault_is_logged_and_shown_never_skipped(chain_a, monkeypatch, settings, caplog):
    settings.MEASURE_ERRORS_RAISE = False
    monkeypatch.setitem(
        computations.registry._computations,
        "notices_received_in_window",
        computations.Computation("notices_received_in_window", broken),
    )
    with caplog.at_level(logging.ERROR, logger="escalation.computations"):
        figures = computations.compute(step(chain_a, "A2"))
    assert figures.failures["pct_received_within_4h"] == computations.UNEXPECTED
    assert "notices_received_in_window" in caplog.text
