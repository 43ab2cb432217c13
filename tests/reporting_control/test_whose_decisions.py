"""A line's decision offers clearing at challenge only to those who may clear it, and tells anyone else
who can; the update page reads who can once, however many lines it has."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting_control import services
from reporting_control.choices import LineKind, LineState


def add_lines(update, by, service, count):
    for number in range(count):
        services.add_line(
            update, by=by, claim=f"Adopted {number}.", kind=LineKind.NAMED_SERVICE, services=[service]
        )


def test_only_a_signer_is_offered_to_clear_a_line_others_are_told_who_can(
    client, sign_in, evidenced_update, compliance_manager, provider_director, nominated_individual
):
    url = reverse("reporting_control:update_detail", args=[evidenced_update.pk])
    sign_in(compliance_manager)
    page = client.get(url).text
    assert "Clear the line at challenge" not in page
    assert "Freeze the line" in page
    assert (
        f"Only the Provider Director ({provider_director}) or Nominated Individual "
        f"({nominated_individual}) for Oakwood Care Group can clear this line at challenge."
    ) in page
    line = evidenced_update.lines.get()
    response = client.post(
        reverse("reporting_control:line_decide", args=[evidenced_update.pk, line.pk]),
        {f"line{line.pk}-state": LineState.CHALLENGE_CLEARED, f"line{line.pk}-reason": "Seen."},
        follow=True,
    )
    assert "Choose one of the decisions offered to you." in response.text
    line.refresh_from_db()
    assert line.state != LineState.CHALLENGE_CLEARED
    client.logout()
    sign_in(provider_director)
    assert "Clear the line at challenge" in client.get(url).text


def test_the_update_page_needs_the_same_queries_for_one_or_many_lines(
    client, sign_in, evidenced_update, compliance_manager, birch_lodge
):
    url = reverse("reporting_control:update_detail", args=[evidenced_update.pk])
    sign_in(compliance_manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    # One line added after the sign-off first, so both pages also say what changed since it.
    services.add_line(
        evidenced_update,
        by=compliance_manager,
        claim="Adopted first.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge],
    )
    one = queries()
    add_lines(evidenced_update, compliance_manager, birch_lodge, 4)
    assert queries() == one
