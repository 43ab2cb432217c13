"""A reason typed for a hold, its lifting or a line's decision has a limit, named when it is passed.

These reasons had no limit at all: a hold could be placed with a reason of any length, and the page,
the history and the evidence pack carried it. A reason over the limit is refused on its field with
the limit and its length named, the text kept to shorten; the browser is not told the limit, since it
would cut a pasted reason short without a word.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from providers.models import REASON_MAX_LENGTH
from reporting_control import services
from reporting_control.choices import LineState
from reporting_control.models import IssueHold

SENTENCE = "Birch Lodge's night audit is not in yet, and the claim waits for it. "
TOO_LONG = (SENTENCE * 10)[:REASON_MAX_LENGTH] + "!"  # 501 characters, no space at either end
AT_THE_LIMIT = TOO_LONG[: REASON_MAX_LENGTH - 1] + "."
REFUSAL = f"Shorten the reason to {REASON_MAX_LENGTH} characters or fewer (it has {REASON_MAX_LENGTH + 1})."


def _kept(text: str, page: str) -> bool:
    return text.replace("'", "&#x27;") in page


def test_the_reasons_are_over_and_at_the_limit_as_meant():
    assert len(TOO_LONG) == REASON_MAX_LENGTH + 1 and TOO_LONG.strip() == TOO_LONG
    assert len(AT_THE_LIMIT) == REASON_MAX_LENGTH and AT_THE_LIMIT.strip() == AT_THE_LIMIT


def test_a_hold_with_a_reason_over_the_limit_is_refused_and_the_reason_kept(
    client, sign_in, compliance_manager, evidenced_update
):
    sign_in(compliance_manager)
    response = client.post(
        reverse("reporting_control:hold_place", args=[evidenced_update.pk]), {"reason": TOO_LONG}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [REFUSAL]
    assert _kept(TOO_LONG, response.text)
    assert "maxlength" not in response.text
    assert not IssueHold.objects.filter(update=evidenced_update).exists()


def test_a_hold_with_a_reason_at_the_limit_is_placed_with_it_whole(
    client, sign_in, compliance_manager, evidenced_update
):
    sign_in(compliance_manager)
    client.post(reverse("reporting_control:hold_place", args=[evidenced_update.pk]), {"reason": AT_THE_LIMIT})
    assert IssueHold.objects.get(update=evidenced_update).reason == AT_THE_LIMIT


def test_lifting_a_hold_with_a_reason_over_the_limit_is_refused(
    client, sign_in, compliance_manager, provider_director, evidenced_update
):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Waiting for the audit.")
    sign_in(provider_director)
    response = client.post(
        reverse("reporting_control:hold_lift", args=[evidenced_update.pk]), {"reason": TOO_LONG}
    )

    assert response.context["form"].errors["reason"] == [REFUSAL]
    assert _kept(TOO_LONG, response.text)
    assert services.active_hold(evidenced_update) is not None


def test_a_line_decision_with_a_reason_over_the_limit_comes_back_with_it(
    client, sign_in, compliance_manager, evidenced_update
):
    line = evidenced_update.lines.get()
    sign_in(compliance_manager)
    url = reverse("reporting_control:line_decide", args=[evidenced_update.pk, line.pk])
    response = client.post(
        url, {f"line{line.pk}-state": LineState.DEFERRED, f"line{line.pk}-reason": TOO_LONG}
    )

    assert response.status_code == 200
    assert _kept(REFUSAL, response.text) and _kept(TOO_LONG, response.text)
    assert "maxlength" not in response.text
    line.refresh_from_db()
    assert line.state != LineState.DEFERRED and line.decision_reason == ""


@pytest.mark.parametrize("action", ["place_hold", "decide_line", "lift_hold"])
def test_the_services_refuse_a_reason_over_the_limit_whoever_calls_them(
    action, evidenced_update, compliance_manager, provider_director
):
    """The limit is the services' rule too, so no way in (a task, the demo loader) gets past it."""
    if action == "lift_hold":
        services.place_hold(evidenced_update, by=compliance_manager, reason="Waiting for the audit.")
    calls = {
        "place_hold": lambda: services.place_hold(evidenced_update, by=compliance_manager, reason=TOO_LONG),
        "lift_hold": lambda: services.lift_hold(evidenced_update, by=provider_director, reason=TOO_LONG),
        "decide_line": lambda: services.decide_line(
            evidenced_update.lines.get(), by=compliance_manager, state=LineState.DEFERRED, reason=TOO_LONG
        ),
    }
    with pytest.raises(ValidationError) as refused:
        calls[action]()
    assert refused.value.message_dict["reason"] == [REFUSAL]
