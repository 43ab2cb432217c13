"""Release is refused while held or while a line lacks evidence; a second release changes nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from reporting_control import chain, services
from reporting_control.choices import LineKind, LineState, UpdateStatus
from reporting_control.models import EvidencePack
from tests.factories import CHECK_DONE, check_and_sign_off


def test_release_is_refused_while_a_hold_is_active(evidenced_update, compliance_manager, provider_director):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Awaiting the C4 check.")

    with pytest.raises(ValidationError) as error:
        services.release_update(evidenced_update, by=provider_director)

    assert "issue hold is active" in " ".join(error.value.messages)
    evidenced_update.refresh_from_db()
    assert evidenced_update.status == UpdateStatus.HELD and evidenced_update.released_at is None


def test_release_is_refused_while_a_line_lacks_evidence(
    evidenced_update, compliance_manager, provider_director, cedar_court
):
    line = services.add_line(
        evidenced_update,
        by=compliance_manager,
        claim="Cedar Court adopted it too.",
        kind=LineKind.NAMED_SERVICE,
        services=[cedar_court],
    )
    with pytest.raises(ValidationError) as error:
        services.release_update(evidenced_update, by=provider_director)
    assert "Lines lacking evidence" in " ".join(error.value.messages)

    # Freezing the line withholds it from the update, so the rest may go, once signed off as it stands.
    services.decide_line(line, by=compliance_manager, state=LineState.FROZEN, reason="No proof at Cedar.")
    chain.record_sign_off(evidenced_update, by=provider_director, check_done=CHECK_DONE)
    assert services.release_update(evidenced_update, by=provider_director) is True


def test_release_closes_chain_c_and_queues_the_issue_pack(
    evidenced_update, provider_director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.release_update(evidenced_update, by=provider_director)

    evidenced_update.refresh_from_db()
    assert evidenced_update.status == UpdateStatus.RELEASED
    assert evidenced_update.released_by == provider_director
    assert not chain.run_for(evidenced_update).is_open
    pack = EvidencePack.objects.get(update=evidenced_update)
    assert pack.for_release and pack.status == "ready"
    assert pack.commissioner is None, "no service of the update is commissioned: the provider's pack only"


def test_releasing_twice_changes_nothing_the_second_time(evidenced_update, provider_director):
    assert services.release_update(evidenced_update, by=provider_director) is True
    evidenced_update.refresh_from_db()
    released_at, history_rows = evidenced_update.released_at, evidenced_update.history.count()

    assert services.release_update(evidenced_update, by=provider_director) is False

    evidenced_update.refresh_from_db()
    assert evidenced_update.released_at == released_at
    assert evidenced_update.history.count() == history_rows
    assert EvidencePack.objects.filter(update=evidenced_update).count() == 1


def test_only_a_signer_may_release(evidenced_update, compliance_manager):
    with pytest.raises(PermissionDenied):
        services.release_update(evidenced_update, by=compliance_manager)


def test_a_released_update_cannot_be_held_or_changed(evidenced_update, provider_director, compliance_manager):
    services.release_update(evidenced_update, by=provider_director)
    with pytest.raises(ValidationError):
        services.place_hold(evidenced_update, by=compliance_manager, reason="Too late.")
    with pytest.raises(ValidationError):
        services.add_line(evidenced_update, by=compliance_manager, claim="More.", kind=LineKind.OPEN_RISK)


@pytest.fixture
def unsigned_update(plan, compliance_manager, birch_match):
    """An update with one evidenced line (Birch Lodge verified), not yet checked or signed off."""
    from tests.reporting_control.conftest import verify

    verify(birch_match)
    update = plan()
    services.add_line(
        update,
        by=compliance_manager,
        claim="Adopted at Birch Lodge.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_match.service],
    )
    return update


def test_release_waits_for_the_provider_directors_sign_off(unsigned_update, provider_director):
    update = unsigned_update
    with pytest.raises(ValidationError) as error:
        services.release_update(update, by=provider_director)
    assert "sign-off for issue (C5) is not recorded yet" in " ".join(error.value.messages)

    check_and_sign_off(update, None)
    record = chain.record_sign_off(update, by=provider_director, check_done=CHECK_DONE)
    assert not record.breached and record.values["residual_defects"] == 0
    assert services.release_update(update, by=provider_director) is True


def test_a_breached_sign_off_keeps_the_update_held(plan, compliance_manager, provider_director, birch_lodge):
    update = plan()
    for claim in ("Shared everywhere.", "Adopted across the provider.", "Every home changed practice."):
        services.add_line(
            update, by=compliance_manager, claim=claim, kind=LineKind.PROVIDER_WIDE, services=[birch_lodge]
        )

    record = chain.record_sign_off(update, by=provider_director, check_done=CHECK_DONE)

    assert record.breached and record.values["residual_defects"] == 3
    hold = services.active_hold(update)
    assert hold is not None and hold.placed_by == provider_director
    assert "(C5) breached its threshold" in hold.reason and "overnight correction" in hold.reason
    services.lift_hold(update, by=provider_director, reason="Correcting the claims overnight.")
    with pytest.raises(ValidationError) as error:
        services.release_update(update, by=provider_director)
    messages = " ".join(error.value.messages)
    assert "found too many residual defects and deferred sections" in messages
    assert "Lines lacking evidence" in messages


@pytest.mark.django_db
def test_the_update_page_sends_the_provider_director_to_the_sign_off(
    client, sign_in, plan, provider_director
):
    update = plan()
    sign_in(provider_director)
    page = client.get(f"/reporting/{update.pk}/").text
    sign_off = chain.step_run(update, chain.SIGN_OFF_STEP)
    assert "sign-off for issue (C5) is not recorded yet" in page
    assert f'href="/escalations/steps/{sign_off.pk}/">Sign off the update for issue</a>' in page
    assert "Release the update" not in page


def test_release_waits_for_the_checks_the_sign_off_is_judged_against(unsigned_update, provider_director):
    """C5 signs off "the whole sign-off set against C4, C3 and C1" (seed 000). An update was released with
    only C5 recorded, and its pack told commissioners the other checks were "Closed — no longer needed"."""
    update = unsigned_update
    chain.record_sign_off(update, by=provider_director, check_done=CHECK_DONE)
    with pytest.raises(ValidationError) as error:
        services.release_update(update, by=provider_director)
    messages = " ".join(error.value.messages)
    assert "Check every claim has service evidence (C1)" in messages
    assert "Check complaints and safeguarding alerts (C3)" in messages
    assert "Challenge the claims before issue (C4)" in messages
    # No day's check of the figures has fallen due yet, but the figures must be checked at least once.
    assert "Check the figures behind each claim (C2)" in messages

    check_and_sign_off(update, None)
    with pytest.raises(ValidationError) as error:
        services.release_update(update, by=provider_director)
    assert "signed off (C5) before" in " ".join(error.value.messages), "a sign-off must follow the checks"

    chain.record_sign_off(update, by=provider_director, check_done=CHECK_DONE)
    assert services.release_update(update, by=provider_director) is True


def test_a_days_check_of_the_figures_that_fell_due_must_be_recorded_before_release(
    evidenced_update, provider_director
):
    # The first day's check was recorded early (evidenced_update); the second day's falls due next.
    second_c2 = chain.CASES.run_for(evidenced_update).step_runs.filter(code="C2").order_by("due_at")[1]
    with time_machine.travel(second_c2.due_at + timedelta(minutes=5), tick=False):
        with pytest.raises(ValidationError) as error:
            services.release_update(evidenced_update, by=provider_director)
        assert "Check the figures behind each claim (C2)" in " ".join(error.value.messages)
