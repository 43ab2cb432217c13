"""The sign-off (C5) records its line counts as the update's lines show them: any other figure is
refused outright (computations.line_count_problems), so no reason could ever let one through. The
form offers no reason box for them: a box that can never help only confuses."""

import pytest
from django.urls import reverse

from escalation import computations
from reporting_control import chain

from . import test_sign_off_figures as sign_off

pytestmark = pytest.mark.django_db
four_lines = sign_off.four_lines  # the update of four lines the sign-off tests use

C5_FIGURES = ("lines_challenge_cleared", "residual_defects", "deferred_sections")


def test_the_sign_off_form_offers_no_reason_box_for_its_line_counts(
    client,
    sign_in,
    four_lines,
    provider_director,
):
    sign_in(provider_director)
    response = client.get(reverse("escalation:step_run", args=[chain.step_run(four_lines, "C5").pk]))
    form = response.context["form"]
    for name in C5_FIGURES:
        assert name in form.fields
        assert computations.reason_key(name) not in form.fields
    assert "__reason" not in response.text
    assert "differs from the system" not in response.text
    assert "cannot be typed over" in form.fields["lines_challenge_cleared"].help_text


def test_a_typed_over_count_is_refused_and_asks_no_reason(
    client,
    sign_in,
    four_lines,
    provider_director,
):
    sign_in(provider_director)
    url = reverse("escalation:step_run", args=[chain.step_run(four_lines, "C5").pk])
    response = client.post(url, sign_off._sign_off_form(residual_defects="0", deferred_sections="-1"))
    # Refused on the form for the negative count; the typed-away defects are not asked why.
    assert set(response.context["form"].errors) == {"deferred_sections"}
    response = client.post(url, sign_off._sign_off_form(residual_defects="0"))
    errors = response.context["form"].errors
    assert set(errors) == {"residual_defects"}
    assert "The update's lines show 4" in errors["residual_defects"][0]


def test_a_challenge_of_the_same_counts_may_still_say_why_it_differs(
    client,
    sign_in,
    four_lines,
    operations_director,
):
    """C4 shares C5's count of deferred sections, but is a person's challenge: it keeps its reason box."""
    sign_in(operations_director)
    response = client.get(reverse("escalation:step_run", args=[chain.step_run(four_lines, "C4").pk]))
    assert computations.reason_key("deferred_sections") in response.context["form"].fields
