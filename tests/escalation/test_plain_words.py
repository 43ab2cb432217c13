"""Every step, rule and status label reads in a care manager's words: the seed's code (A1, B2) only
ever as a small secondary label, never a Python-ish phrase ("any item of", "sum of", snake_case)."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import escape

from adoption.models import DeploymentStatus
from escalation.choices import ChainRunStatus, EscalationKind, EscalationState, EventKind, StepRunState
from escalation.loading import read_fixture
from escalation.models import StepRun, StepTemplate
from escalation.rules import describe_rule, thresholds
from learning_transfer.choices import TriggerStatus
from reporting_control.choices import LineState, UpdateStatus

CODE = re.compile(r"\b[ABC][1-5]\b")
SNAKE_CASE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
PYTHON_ISH = ("any item of", "sum of", "measure_ref", "any_item", "None", "True", "False", "{", "[")
SMALL_CODE_LABEL = re.compile(r'<span class="app-code">[ABC][1-5]</span>')
OPERATORS = ("<", "<=", ">", ">=", "==", "!=")
# The states a person reads as a status tag: each says what happened, then what to do next.
STATES = [
    StepRunState,
    EscalationState,
    ChainRunStatus,
    TriggerStatus,
    DeploymentStatus,
    UpdateStatus,
    LineState,
]


def assert_plain(label: str, what: str) -> None:
    """The label's main words (without its small code label) are words, not codes or identifiers."""
    words = SMALL_CODE_LABEL.sub("", label)
    assert words.strip(), f"{what}: no words"
    assert not CODE.search(words), f"{what} shows a raw code as its words: {label!r}"
    assert not SNAKE_CASE.search(words), f"{what} shows an identifier: {label!r}"
    for phrase in PYTHON_ISH:
        assert phrase not in words, f"{what} reads like code ({phrase!r}): {label!r}"


def fixture_steps() -> list[dict]:
    return [step for chain in read_fixture() for step in chain["steps"]]


def every_rule_form(step: dict) -> list[dict]:
    """The step's own rule and each form a tuned rule may take on its measures, with every operator."""
    scalars = [m["name"] for m in step["measures"] if not m.get("group")]
    groups = [m["name"] for m in step["measures"] if m.get("group")]
    with_baseline = [m["name"] for m in step["measures"] if m.get("baseline")]
    rules = [step["threshold_rule"]]
    for op in OPERATORS:
        rules += [{"measure": name, "op": op, "value": 3} for name in scalars]
        rules.append({"measure": scalars[0], "op": op, "measure_ref": scalars[-1]})
        rules.append({"sum": scalars[:2], "op": op, "value": 3})
        rules += [{"any_item": name, "op": op, "value": 3} for name in groups]
        rules += [{"any_item": name, "op": op, "measure_ref": scalars[0]} for name in groups]
        rules += [{"change_from_baseline": name, "op": op, "value": 5} for name in with_baseline]
    rules.append({"any": [rules[1], {"all": rules[2:4]}]})
    return rules


@pytest.mark.parametrize("step", fixture_steps(), ids=lambda s: s["code"])
def test_every_step_has_a_plain_name_and_breach_words(step):
    assert_plain(step["name"], f"{step['code']} name")
    assert_plain(step["breach_status"], f"{step['code']} breach status")
    # A breach status says what happened and what to do next.
    assert " — " in step["breach_status"], step["code"]


@pytest.mark.parametrize("step", fixture_steps(), ids=lambda s: s["code"])
def test_every_rule_reads_as_words_with_units(step):
    for rule in every_rule_form(step):
        assert_plain(describe_rule(rule, step["measures"]), f"{step['code']} rule {rule}")
        for threshold in thresholds(rule, step["measures"]):
            assert_plain(threshold["text"], f"{step['code']} threshold of {rule}")
    percentages = [m["name"] for m in step["measures"] if m["kind"] == "percentage" and not m.get("group")]
    for name in percentages:
        assert "90 %" in describe_rule({"measure": name, "op": "<", "value": 90}, step["measures"])


def test_the_seed_rules_read_as_a_care_manager_would_say_them():
    steps = {step["code"]: step for step in fixture_steps()}
    a1, a2, b1 = steps["A1"], steps["A2"], steps["B1"]
    assert describe_rule(a1["threshold_rule"], a1["measures"]) == (
        "more than 2 services with a matching risk profile and at least one matched service's incident "
        "rate per 100 care hours in the previous 7 days is above the provider median incident rate per "
        "100 care hours"
    )
    assert describe_rule(a2["threshold_rule"], a2["measures"]) == (
        "fewer than 100 % of matched services receiving the issued learning notice within 4 hours"
    )
    assert describe_rule(b1["threshold_rule"], b1["measures"]).endswith(
        "improves on its baseline by less than 5 percentage points"
    )


@pytest.mark.parametrize(
    "choices",
    [StepRunState, EscalationState, EscalationKind, ChainRunStatus, EventKind],
    ids=lambda c: c.__name__,
)
def test_every_status_label_is_words(choices):
    for value, label in choices.choices:
        assert_plain(label, f"{choices.__name__}.{value}")


@pytest.mark.parametrize("choices", STATES, ids=lambda c: c.__name__)
def test_every_state_says_what_happened_and_what_next(choices):
    for value, label in choices.choices:
        happened, _, next_step = label.partition(" — ")
        assert happened and next_step, f"{choices.__name__}.{value}: {label!r}"


def test_steps_render_their_words_first_and_their_code_small(chains):
    template = Template("{% load steps %}{{ step|step_name }}|{{ step|step_state:state }}")
    for step in StepTemplate.objects.all():
        assert step.name, step.code  # the data migration gave every loaded step its words
        run = StepRun(**{f: getattr(step, f) for f in ("code", "name", "title", "breach_status")})
        for state in StepRunState.values:
            name, words = template.render(Context({"step": run, "state": state})).split("|")
            assert name.endswith(f'<span class="app-code">{step.code}</span>'), name
            assert_plain(name, f"{step.code} name")
            assert_plain(words, f"{step.code} {state}")
    a1 = StepRun(
        code="A1",
        name="Find comparable services",
        breach_status=StepTemplate.objects.get(code="A1").breach_status,
    )
    assert a1.state_words(StepRunState.BREACHED).startswith("Mandatory learning needed")


def test_the_chains_page_shows_every_step_and_rule_in_words(client, sign_in, chains, people):
    sign_in(people.administrator)
    page = client.get(reverse("escalation:chains")).text
    for step in StepTemplate.objects.all():
        assert f'{escape(step.name)} <span class="app-code">{step.code}</span>' in page
        role = step.get_escalate_to_display()
        assert f"Escalate to the {role}" in page and f"when {escape(step.threshold_text)}." in page
    assert "any item of" not in page


CAPTION = re.compile(r'<span class="nhsuk-caption-l">(.*?)<h1', re.S)


def test_no_page_caption_names_a_chain_or_step_by_its_code():
    """A page's caption above its heading is words ("Adoption in live practice"), with a step's code
    only as the small label after them."""
    from pathlib import Path

    from django.conf import settings

    templates = sorted(Path(settings.BASE_DIR).glob("*/templates/**/*.html"))
    assert templates
    for path in templates:
        for caption in CAPTION.findall(path.read_text()):
            words = re.sub(r"<[^>]+>", "", SMALL_CODE_LABEL.sub("", caption))
            assert "Chain " not in words and not CODE.search(words), f"{path.name}: {caption!r}"
