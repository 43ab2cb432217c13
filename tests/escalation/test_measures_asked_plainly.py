"""Chain B's checks are recorded on a phone by floor staff: each figure is asked as a plain question
("How many times did you have to remind the same staff group ...?"), the seed's wording kept beneath it
as what the guidance says. A measure without a question (chain A and C, or a case opened before the
questions were written) is asked by its label, as before."""

import importlib
import re
from html import unescape

import pytest
from django.apps import apps
from django.utils.html import strip_tags

from escalation import services
from escalation.loading import load_chain_templates, read_fixture
from escalation.measures import asked_as, validate_measure_definitions, with_parameters
from escalation.models import StepTemplate

from .conftest import at, step

STEP_CODE = re.compile(r"\b[ABC][1-5]\b")


def chain_b_measures() -> list[tuple[str, dict]]:
    """Every measure of chain B's five steps as the fixture loads them, with its step's code."""
    (chain,) = [c for c in read_fixture() if c["code"] == "B"]
    return [(s["code"], m) for s in chain["steps"] for m in s["measures"]]


def test_every_chain_b_measure_is_asked_as_a_plain_question():
    measures = chain_b_measures()
    assert len(measures) == 15
    for code, measure in measures:
        question = measure.get("question", "")
        assert question.endswith("?"), f"{code} {measure['name']}: {question!r}"
        assert not STEP_CODE.search(question), f"{code} {measure['name']} names a step: {question!r}"
        assert "{" not in question and "}" not in question, question


def test_each_question_asks_for_the_figure_in_its_unit():
    for code, measure in chain_b_measures():
        question = measure["question"].lower()
        if measure["kind"] == "percentage":
            assert "what %" in question, f"{code} {measure['name']}: {question!r}"
        elif measure["kind"] == "minutes":
            assert "how many minutes" in question, f"{code} {measure['name']}: {question!r}"
        elif measure["kind"] == "rate":
            assert "how many" in question and "every 100" in question, f"{code}: {question!r}"
        else:
            assert "how many" in question, f"{code} {measure['name']}: {question!r}"


@pytest.mark.parametrize(
    "name, question",
    [
        ("repeat_prompts_same_group", "How many times did you have to remind the same staff group"),
        ("resident_impact_concerns", "because the new way was not followed?"),
        (
            "record_completion_pct",
            "What % of care records for the new way were completed in the last 6 hours?",
        ),
    ],
)
def test_the_questions_the_floor_asked_for(name, question):
    asked = {m["name"]: m["question"] for _, m in chain_b_measures()}
    assert question in asked[name]


def test_a_question_is_shown_with_the_guidances_words_beneath():
    measure = {m["name"]: m for _, m in chain_b_measures()}["resident_impact_concerns"]
    label, hint = asked_as(measure)
    assert label == measure["question"]
    assert hint == "In the guidance: Resident-impact concerns linked to failed learning adoption."


def test_a_measure_without_a_question_is_asked_by_its_label():
    """Chain A's measures, and any case opened before the questions were written (its snapshot)."""
    measure = {"name": "errors", "label": "Repeat errors on the shift", "kind": "count", "unit": "errors"}
    assert asked_as(measure) == ("Repeat errors on the shift", "")


def test_a_question_shows_its_parameters_in_words_as_the_label_does():
    written = {
        "name": "late_notices",
        "label": "Notices sent later than {window_hours} hours",
        "question": "How many notices went out later than {window_hours} hours?",
        "kind": "count",
        "unit": "notices",
        "computation": "late_notices",
        "parameters": {"window_hours": 4},
    }
    validate_measure_definitions([written])
    (default,) = with_parameters([written])
    assert asked_as(default) == (
        "How many notices went out later than 4 hours?",
        "In the guidance: Notices sent later than 4 hours.",
    )
    # A provider tunes the window to one hour: both read in the singular, and can be tuned again.
    (tuned,) = with_parameters([default], {"late_notices": {"window_hours": 1}})
    assert asked_as(tuned) == (
        "How many notices went out later than 1 hour?",
        "In the guidance: Notices sent later than 1 hour.",
    )
    (again,) = with_parameters([tuned], {"late_notices": {"window_hours": 8}})
    assert asked_as(again)[0] == "How many notices went out later than 8 hours?"


@pytest.mark.parametrize(
    "question, problem",
    [
        ("", "needs a question"),
        (12, "needs a question"),
        ("How many notices in {look_back_days} days?", "the question shows {look_back_days}"),
    ],
)
def test_a_question_that_could_not_be_shown_is_refused(question, problem):
    measure = {
        "name": "late_notices",
        "label": "Late notices",
        "question": question,
        "kind": "count",
        "computation": "late_notices",
        "parameters": {"window_hours": 4},
    }
    with pytest.raises(ValueError, match=re.escape(problem)):
        validate_measure_definitions([measure])


@pytest.mark.django_db
def test_reloading_the_chains_gives_existing_steps_and_new_cases_the_questions(
    chains, provider, elm_house, shifts, subject, time_machine
):
    # A database loaded before the questions were written.
    b4 = StepTemplate.objects.get(code="B4")
    b4.measures = [{k: v for k, v in m.items() if k != "question"} for m in b4.measures]
    b4.save()
    time_machine.move_to(at(23, 10), tick=False)
    opened_before = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )

    load_chain_templates(update=True)

    b4.refresh_from_db()
    assert (
        asked_as(b4.measures[1])[0]
        == "How many times were residents affected because the new way was not followed?"
    )
    opened_after = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )
    assert asked_as(step(opened_after, "B4").measures[1])[0].startswith("How many times were residents")
    # A case already open keeps what it was opened with: asked by the label.
    label, hint = asked_as(step(opened_before, "B4").measures[1])
    assert (label, hint) == ("Resident-impact concerns linked to failed learning adoption", "")


@pytest.mark.django_db
def test_the_data_migration_gives_the_templates_their_questions_and_leaves_open_cases(
    chains, provider, elm_house, shifts, subject, time_machine
):
    migration = importlib.import_module("escalation.migrations.0022_measures_asked_plainly")
    for template in StepTemplate.objects.filter(chain__code="B"):
        template.measures = [{k: v for k, v in m.items() if k != "question"} for m in template.measures]
        template.save()
    edited = StepTemplate.objects.get(code="B5")
    edited.measures[0]["label"] = "Tasks done on time (our words)"
    edited.save()
    time_machine.move_to(at(23, 10), tick=False)
    case = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )

    migration.ask_plainly(apps, None)
    migration.ask_plainly(apps, None)  # running it again changes nothing

    b1 = StepTemplate.objects.get(code="B1")
    assert all(m["question"].endswith("?") for m in b1.measures)
    edited.refresh_from_db()
    assert "question" not in edited.measures[0]  # a label edited by hand: its question may not fit
    assert "question" in edited.measures[1]
    assert all("question" not in m for m in step(case, "B1").measures)


@pytest.mark.django_db
def test_the_late_shift_senior_carer_is_asked_plain_questions(
    client, sign_in, chains, people, provider, elm_house, shifts, subject, time_machine
):
    time_machine.move_to(at(23, 10), tick=False)
    case = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )
    time_machine.move_to(at(23, 15), tick=False)  # Monday's late shift is on
    sign_in(people.senior_carer)
    response = client.get(step(case, "B4").get_absolute_url())
    form = response.context["form"]
    assert form["resident_impact_concerns"].label == (
        "How many times were residents affected because the new way was not followed?"
    )
    page = " ".join(unescape(strip_tags(response.text)).split())
    assert "How many times did you have to remind the same staff group" in page
    assert (
        "In the guidance: Repeat prompt episodes issued to the same staff group after the learning briefing."
        in page
    )
    assert "Unit: episodes" in page  # the hint the field already had is kept


def test_an_error_names_the_question_the_person_was_asked(
    client, sign_in, chains, people, provider, elm_house, shifts, subject, time_machine
):
    """Found: the field asked "How many times were residents affected …?" and its error, in the summary
    at the top too, said "Enter resident-impact concerns linked to failed learning adoption.", the
    guidance's words, shown only in small print under the question."""
    time_machine.move_to(at(23, 10), tick=False)
    case = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )
    time_machine.move_to(at(23, 15), tick=False)
    sign_in(people.senior_carer)
    response = client.post(
        step(case, "B4").get_absolute_url(),
        {
            "check_method": "Watched the late shift.",
            "resident_impact_concerns": "",
            "repeat_prompts_same_group": "1.5",
        },
    )
    errors = response.context["form"].errors
    question = "How many times were residents affected because the new way was not followed?"
    assert errors["resident_impact_concerns"] == [f"Enter an answer to “{question}”."]
    [too_precise] = errors["repeat_prompts_same_group"]
    assert too_precise.startswith("The answer to “How many times did you have to remind the same staff group")
    assert "must be a whole number" in too_precise
    assert "Resident-impact concerns" not in response.text.split("In the guidance")[0]
