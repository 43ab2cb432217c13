"""The Provider Director's sign-off (C5) records the figures the update's lines show, never typed-over ones.

C5's figures (lines challenge-cleared, residual evidence defects, deferred sections) are counted by the
system from the update's lines. The step page fills them in, but they could be typed over: "999 lines
cleared" on an update of four lines was recorded, and an update could be signed off with its defects
typed away. The checks before it (C1, C4) are a person's challenge of the lines, so their counts may
differ from the system's, but never exceed the lines there are.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation import computations
from escalation.models import StepRecord
from reporting_control import chain, services
from reporting_control.choices import LineKind
from tests.factories import CHECK_DONE

CLAIMS = (
    "Shared everywhere.",
    "Adopted across the provider.",
    "Every home changed practice.",
    "Night checks are done in real time at every home.",
)


@pytest.fixture
def four_lines(plan, compliance_manager, birch_lodge):
    """An update of four provider-wide claims, none with evidence yet: C5 counts 0 lines cleared,
    4 residual defects and 0 deferred sections."""
    update = plan()
    for claim in CLAIMS:
        services.add_line(
            update, by=compliance_manager, claim=claim, kind=LineKind.PROVIDER_WIDE, services=[birch_lodge]
        )
    return update


def _step_page(update, code):
    return reverse("escalation:step_run", args=[chain.step_run(update, code).pk])


def _sign_off_form(**typed):
    return {
        "lines_challenge_cleared": "0",
        "residual_defects": "4",
        "deferred_sections": "0",
        "check_done": "Every line checked against C4, C3 and C1.",
        # The checks it is judged against are not recorded in these tests: their figures are the point.
        "record_anyway": "on",
        **typed,
    }


def test_the_sign_off_page_fills_in_what_the_lines_show(client, sign_in, four_lines, provider_director):
    sign_in(provider_director)
    form = client.get(_step_page(four_lines, "C5")).context["form"]
    assert form.initial == {"lines_challenge_cleared": 0, "residual_defects": 4, "deferred_sections": 0}


def test_999_lines_cleared_on_an_update_of_four_lines_is_refused_and_kept_on_the_form(
    client, sign_in, four_lines, provider_director
):
    sign_in(provider_director)
    response = client.post(_step_page(four_lines, "C5"), _sign_off_form(lines_challenge_cleared="999"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["lines_challenge_cleared"] == [
        "The update's lines show 0 (of its 4 lines): the system counts this figure, so it cannot be "
        "typed over. Enter 0, or decide the lines on the update's page first."
    ]
    assert 'value="999"' in response.text  # what was typed stays on the form
    assert "Every line checked against C4, C3 and C1." in response.text
    assert not StepRecord.objects.filter(step_run__chain_run=chain.run_for(four_lines)).exists()
    assert chain.step_run(four_lines, "C5").state == "due"


def test_a_possible_figure_that_is_not_what_the_lines_show_is_refused_too(
    client, sign_in, four_lines, provider_director
):
    """Typing the residual defects away would sign the update off without a breach: 4 defects typed as 0."""
    sign_in(provider_director)
    response = client.post(_step_page(four_lines, "C5"), _sign_off_form(residual_defects="0"))

    assert response.status_code == 200
    assert (
        "The update's lines show 4 (of its 4 lines)" in response.context["form"].errors["residual_defects"][0]
    )
    assert not chain.step_run(four_lines, "C5").is_recorded


def test_a_negative_count_is_refused(client, sign_in, four_lines, provider_director):
    sign_in(provider_director)
    response = client.post(_step_page(four_lines, "C5"), _sign_off_form(deferred_sections="-1"))
    assert "must be a whole number, 0 or more" in response.context["form"].errors["deferred_sections"][0]
    assert not chain.step_run(four_lines, "C5").is_recorded


def test_the_figures_the_lines_show_are_recorded(client, sign_in, four_lines, provider_director):
    sign_in(provider_director)
    response = client.post(_step_page(four_lines, "C5"), _sign_off_form(), follow=True)

    assert "Sign off the update for issue (C5) recorded: threshold breached" in response.text
    record = StepRecord.objects.get(step_run=chain.step_run(four_lines, "C5"))
    assert record.values == {"lines_challenge_cleared": 0, "residual_defects": 4, "deferred_sections": 0}


def test_the_service_refuses_a_typed_over_sign_off_figure_whoever_calls_it(four_lines, provider_director):
    with pytest.raises(ValidationError) as refused:
        chain.record_computed(
            four_lines,
            "C5",
            by=provider_director,
            entered={"lines_challenge_cleared": 999},
            check_done=CHECK_DONE,
        )
    assert (
        "The update's lines show 0 (of its 4 lines)"
        in refused.value.message_dict["lines_challenge_cleared"][0]
    )
    assert not chain.step_run(four_lines, "C5").is_recorded


def test_a_challenge_may_count_more_than_the_system_but_never_more_lines_than_there_are(
    client, sign_in, four_lines, operations_director
):
    """C4 is the Operations Director's line-by-line challenge: finding 3 unsupported statements among
    4 lines where the system finds none is a judgement; finding 5 is impossible."""
    sign_in(operations_director)
    url = _step_page(four_lines, "C4")
    assert computations.compute(chain.step_run(four_lines, "C4")).values["unsupported_statements"] == 0

    checked = {"check_done": "Each line against the evidence map.", "record_anyway": "on"}
    refused = client.post(
        url, {"unsupported_statements": "5", "contradictions": "0", "deferred_sections": "0"} | checked
    )
    assert refused.context["form"].errors["unsupported_statements"] == [
        "Unsupported provider-learning statements built on issue notices only cannot be more than the "
        "update's 4 lines (5 entered)."
    ]
    assert 'value="5"' in refused.text
    assert not chain.step_run(four_lines, "C4").is_recorded

    # A judgement is recorded with why it differs from the system's figure (asked for otherwise).
    judged = {"unsupported_statements": "3", "contradictions": "0", "deferred_sections": "0"} | checked
    asked = client.post(url, judged)
    assert "Say why your figure of 3 statements differs from the system&#x27;s 0 statements." in asked.text
    client.post(url, judged | {"unsupported_statements__reason": "Three lines rest on a notice alone."})
    assert (
        StepRecord.objects.get(step_run=chain.step_run(four_lines, "C4")).values["unsupported_statements"]
        == 3
    )
