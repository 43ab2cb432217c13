"""Sending the plan or a line twice makes one update (one chain C case) and one line."""

from django.urls import reverse

from escalation.models import ChainRun
from reporting_control.models import ReportingLine, ReportingUpdate
from tests.reporting_control.conftest import next_issue_at


def test_planning_the_same_update_twice_makes_one_update_and_one_case(
    client, sign_in, compliance_manager, trigger
):
    sign_in(compliance_manager)
    form = {
        "title": "Quarterly CQC update",
        "audience": "regulator",
        "issue_at": next_issue_at().strftime("%Y-%m-%dT%H:%M"),
        "triggers": [trigger.pk],
    }
    first = client.post(reverse("reporting_control:update_create"), form)
    second = client.post(reverse("reporting_control:update_create"), form, follow=True)

    update = ReportingUpdate.objects.get()
    assert first.url == second.redirect_chain[-1][0] == update.get_absolute_url()
    assert f"This update was already planned as {update.reference}." in second.text
    assert ChainRun.objects.filter(chain__code="C").count() == 1


def test_adding_the_same_line_twice_adds_it_once(
    client, sign_in, compliance_manager, evidenced_update, birch_lodge
):
    sign_in(compliance_manager)
    url = reverse("reporting_control:line_create", args=[evidenced_update.pk])
    form = {"claim": "Cedar Court adopted it too.", "kind": "named_service", "services": [birch_lodge.pk]}
    client.post(url, form)
    second = client.post(url, form, follow=True)

    assert (
        ReportingLine.objects.filter(update=evidenced_update, claim="Cedar Court adopted it too.").count()
        == 1
    )
    assert "Line 2 already makes this claim." in second.text


def test_requesting_a_pack_twice_while_it_is_built_queues_one(
    client, sign_in, compliance_manager, evidenced_update
):
    """ "Build the evidence pack" pressed twice built two identical packs."""
    from reporting_control.models import EvidencePack

    sign_in(compliance_manager)
    url = reverse("reporting_control:pack_request", args=[evidenced_update.pk])
    client.post(url)
    second = client.post(url, follow=True)

    assert EvidencePack.objects.filter(update=evidenced_update).count() == 1
    assert "A pack of this update is already being built" in second.text


def test_a_line_decision_missing_a_field_keeps_what_was_typed(
    client, sign_in, compliance_manager, evidenced_update
):
    """A reason typed without a decision chosen came back as a banner, the reason gone."""
    line = evidenced_update.lines.get()
    sign_in(compliance_manager)
    url = reverse("reporting_control:line_decide", args=[evidenced_update.pk, line.pk])
    response = client.post(url, {f"line{line.pk}-reason": "Waiting for Birch Lodge's audit."})

    assert response.status_code == 200
    assert "Waiting for Birch Lodge&#x27;s audit." in response.text, "the reason typed is kept"
    assert "There is a problem" in response.text and "Choose a decision for the line." in response.text
    assert f'href="#id_line{line.pk}-state_0"' in response.text, "the summary links to the first choice"
    line.refresh_from_db()
    assert line.decision_reason == ""
