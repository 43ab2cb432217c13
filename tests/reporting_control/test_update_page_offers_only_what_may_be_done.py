"""The update page offers a person only what they may do now: the sign-off to whoever records it, and
clearing at challenge only for an evidenced line. A refused decision keeps the reason typed."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting_control import services
from reporting_control.choices import LineState
from tests.factories import check_and_sign_off


def test_only_the_provider_director_is_offered_the_sign_off(
    client, sign_in, update_with_a_line, provider_director, nominated_individual
):
    update = update_with_a_line()  # Birch Lodge not verified: the line lacks evidence
    check_and_sign_off(update, None)  # the checks, not the sign-off
    sign_in(nominated_individual)
    page = client.get(update.get_absolute_url()).text
    assert "Sign off the update for issue" not in page and "Record the issue-control record" not in page
    # Told who can instead, in one sentence with the code as a small label beside the words.
    assert (
        '<p data-testid="who-signs-off">Sign-off for issue <span class="app-code">C5</span>: '
        "Only the Provider Director for Oakwood Care Group" in page
    )

    sign_in(provider_director)
    page = client.get(update.get_absolute_url()).text
    assert "Sign off the update for issue" in page


def test_clearing_at_challenge_is_not_offered_for_a_line_lacking_evidence_and_the_reason_is_kept(
    client, sign_in, update_with_a_line, provider_director
):
    update = update_with_a_line()  # Birch Lodge not verified: the line lacks evidence
    line = update.lines.get()
    assert line.state == LineState.LACKING
    sign_in(provider_director)
    page = client.get(update.get_absolute_url()).text
    assert "Clear the line at challenge" not in page
    assert "Clearing at challenge is offered once the line is evidenced." in page

    response = client.post(
        reverse("reporting_control:line_decide", args=[update.pk, line.pk]),
        {f"line{line.pk}-state": LineState.CHALLENGE_CLEARED, f"line{line.pk}-reason": "Seen the audit."},
        follow=True,
    )
    assert "Seen the audit." in response.text  # what was typed is still in the form
    line.refresh_from_db()
    assert line.state == LineState.LACKING


def released_meanwhile(update):
    raise ValidationError("Released.")


def test_a_refusal_by_the_service_keeps_the_reason_typed(
    client, sign_in, update_with_a_line, provider_director, monkeypatch
):
    update = update_with_a_line()  # Birch Lodge not verified: the line lacks evidence
    line = update.lines.get()
    sign_in(provider_director)
    # Another person releases the update between the page and the decision: the service refuses.
    monkeypatch.setattr(services, "_not_released", released_meanwhile)
    response = client.post(
        reverse("reporting_control:line_decide", args=[update.pk, line.pk]),
        {f"line{line.pk}-state": LineState.FROZEN, f"line{line.pk}-reason": "Not ready for the council."},
        follow=True,
    )
    assert "Released." in response.text
    assert "Not ready for the council." in response.text
