"""The staff journey through the pages: plan, add lines, hold, lift, release, build and poll a pack."""

from django.urls import reverse

from providers.choices import Role
from reporting_control.choices import LineKind, LineState, UpdateStatus
from reporting_control.models import EvidencePack, IssueHold, ReportingUpdate
from tests.factories import person_with_role
from tests.reporting_control.conftest import next_issue_at


def test_a_compliance_manager_plans_an_update_and_adds_a_line(
    client, sign_in, compliance_manager, trigger, birch_lodge, birch_match
):
    sign_in(compliance_manager)
    response = client.post(
        reverse("reporting_control:update_create"),
        {
            "title": "Quarterly CQC update",
            "audience": "regulator",
            "issue_at": next_issue_at().strftime("%Y-%m-%dT%H:%M"),
            "triggers": [trigger.pk],
            "services": [birch_lodge.pk],
        },
    )
    update = ReportingUpdate.objects.get(title="Quarterly CQC update")
    assert response.url == update.get_absolute_url()

    client.post(
        reverse("reporting_control:line_create", args=[update.pk]),
        {"claim": "Birch Lodge adopted it.", "kind": "named_service", "services": [birch_lodge.pk]},
    )
    page = client.get(update.get_absolute_url()).text
    assert "Birch Lodge adopted it." in page
    assert "Lacking evidence" in page
    assert update.lines.get().state == LineState.LACKING


def test_the_form_shows_the_services_refusal_on_its_field(client, sign_in, compliance_manager):
    sign_in(compliance_manager)
    response = client.post(
        reverse("reporting_control:update_create"),
        {"title": "Late", "audience": "regulator", "issue_at": "2020-01-01T10:00"},
    )
    assert response.status_code == 200
    assert "must be in the future" in response.text


def test_a_hold_placed_and_lifted_through_the_pages(
    client, sign_in, evidenced_update, compliance_manager, provider_director
):
    sign_in(compliance_manager)
    client.post(reverse("reporting_control:hold_place", args=[evidenced_update.pk]), {"reason": "Query."})
    page = client.get(evidenced_update.get_absolute_url()).text
    assert 'data-testid="active-hold"' in page and "Query." in page

    sign_in(provider_director)
    response = client.post(reverse("reporting_control:hold_lift", args=[evidenced_update.pk]), {"reason": ""})
    assert response.status_code == 200  # the form again, with the error
    client.post(reverse("reporting_control:hold_lift", args=[evidenced_update.pk]), {"reason": "Answered."})
    assert IssueHold.objects.get().lift_reason == "Answered."


def test_a_refused_release_says_why_on_the_page(
    client, sign_in, evidenced_update, compliance_manager, provider_director
):
    IssueHold.objects.create(
        update=evidenced_update,
        reason="Held.",
        placed_by=compliance_manager,
        placed_at=evidenced_update.created_at,
    )
    sign_in(provider_director)
    url = reverse("reporting_control:release", args=[evidenced_update.pk])
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "issue hold is active" in response.text
    evidenced_update.refresh_from_db()
    assert evidenced_update.status != UpdateStatus.RELEASED


def test_release_through_the_page_then_again(client, sign_in, evidenced_update, provider_director):
    sign_in(provider_director)
    url = reverse("reporting_control:release", args=[evidenced_update.pk])
    page = client.get(evidenced_update.get_absolute_url()).text
    assert "I confirm this update is ready to release" in page and "A release cannot be undone." in page
    unticked = client.post(url, follow=True).text
    assert "Tick the box to confirm the release: a release cannot be undone." in unticked
    evidenced_update.refresh_from_db()
    assert evidenced_update.released_at is None, "one stray tap releases nothing"
    assert "Released." in client.post(url, {"confirm": "yes"}, follow=True).text
    assert "already released: nothing changed" in client.post(url, {"confirm": "yes"}, follow=True).text


def test_pack_progress_polls_until_ready(
    client, sign_in, evidenced_update, compliance_manager, django_capture_on_commit_callbacks
):
    sign_in(compliance_manager)
    client.post(reverse("reporting_control:pack_request", args=[evidenced_update.pk]))
    pack = EvidencePack.objects.get()
    progress_url = reverse("reporting_control:pack_progress", args=[evidenced_update.pk, pack.pk])

    queued = client.get(progress_url, headers={"HX-Request": "true"}).text
    assert 'hx-trigger="every 2s"' in queued and "Waiting to start" in queued  # its task not yet sent

    from reporting_control.tasks import build_evidence_pack

    build_evidence_pack(pack.pk)
    ready = client.get(progress_url, headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in ready and "Download evidence pack" in ready
    download = client.get(reverse("reporting_control:pack_download", args=[evidenced_update.pk, pack.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_c4_recorded_on_the_engines_step_page_holds_the_update(
    client, sign_in, evidenced_update, operations_director, compliance_manager, birch_lodge
):
    from reporting_control import chain, services

    for number in range(2, 6):  # five lines: a challenge may find four of them unsupported
        services.add_line(
            evidenced_update,
            by=compliance_manager,
            claim=f"Birch Lodge changed night practice ({number}).",
            kind=LineKind.NAMED_SERVICE,
            services=[birch_lodge],
        )
    step = chain.step_run(evidenced_update, "C4")
    sign_in(operations_director)
    client.post(
        reverse("escalation:step_run", args=[step.pk]),
        {
            "unsupported_statements": "4",
            "contradictions": "1",
            "deferred_sections": "0",
            # The challenge found what the system's evidence map did not: typed over, with a reason.
            "unsupported_statements__reason": "The notes behind four lines do not show the change.",
            "contradictions__reason": "Line 2 contradicts the incident log.",
            "check_done": "Each line against the services' care notes.",
            # The fixture's C4 is recorded already: recording it again says why.
            "correction_reason": "Four more lines were added since the first challenge.",
        },
    )
    evidenced_update.refresh_from_db()
    assert evidenced_update.status == UpdateStatus.HELD


def test_every_chain_c_role_sees_the_panel_on_its_dashboard(client, sign_in, evidenced_update, provider):
    for role in [
        Role.COMPLIANCE_MANAGER,
        Role.PROVIDER_DIRECTOR,
        Role.OPERATIONS_DIRECTOR,
        Role.PERFORMANCE_ANALYST,
        Role.RESIDENT_EXPERIENCE_LEAD,
    ]:
        sign_in(person_with_role(role, provider=provider))
        page = client.get(reverse("dashboard", args=[role])).text
        assert "Regulatory and commissioner updates" in page
        assert evidenced_update.title in page


def test_a_line_is_frozen_from_the_update_page_with_its_reason(
    client, sign_in, plan, compliance_manager, birch_lodge, birch_match
):
    from reporting_control import services

    update = plan()
    line = services.add_line(
        update, by=compliance_manager, claim="Adopted.", kind="named_service", services=[birch_lodge]
    )
    sign_in(compliance_manager)
    client.post(
        reverse("reporting_control:line_decide", args=[update.pk, line.pk]),
        {f"line{line.pk}-state": "frozen", f"line{line.pk}-reason": "Awaiting Birch verification."},
    )
    line.refresh_from_db()
    assert line.state == LineState.FROZEN
    assert line.decision_reason == "Awaiting Birch verification."


def test_the_release_section_names_who_releases_and_offers_the_button_to_them_only(
    client, sign_in, evidenced_update, compliance_manager, provider_director, nominated_individual
):
    IssueHold.objects.create(
        update=evidenced_update,
        reason="Held.",
        placed_by=compliance_manager,
        placed_at=evidenced_update.created_at,
    )
    url = reverse("reporting_control:update_detail", args=[evidenced_update.pk])
    sign_in(compliance_manager)
    release = client.get(url).text.split('<h2 id="release">Release</h2>', 1)[1].split("<h2>", 1)[0]
    assert (
        f"Only the Provider Director ({provider_director}) or Nominated Individual "
        f"({nominated_individual}) for Oakwood Care Group can release this update." in release
    )
    IssueHold.objects.update(
        lifted_at=evidenced_update.created_at, lifted_by=provider_director, lift_reason="x"
    )
    assert "Release the update</button>" not in client.get(url).text
    client.logout()
    sign_in(provider_director)
    assert "Release the update</button>" in client.get(url).text
