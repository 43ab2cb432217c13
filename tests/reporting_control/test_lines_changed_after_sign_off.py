"""Found: a line added a minute after the Provider Director's sign-off (C5) was judged evidenced and
released under that sign-off; the commissioner's pack printed it beside "Signed off by …". A sign-off
signs off the lines as they stood: adding a line, naming a line's services or deciding one (freeze,
defer, clear, reopen) after it asks for the sign-off again before release."""

from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reporting_control import chain, services
from reporting_control.choices import LineKind, LineState
from tests.factories import CHECK_DONE

pytestmark = pytest.mark.django_db
AGAIN = "The update's lines changed after the Provider Director's sign-off (C5)"


def add_a_line(update, by, service):
    return services.add_line(
        update,
        by=by,
        claim=f"{service.name} has ended unwitnessed night falls.",
        kind=LineKind.NAMED_SERVICE,
        services=[service],
    )


def later(minutes=1):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=True)


def test_a_line_added_after_the_sign_off_waits_for_it_again(
    evidenced_update, compliance_manager, provider_director, birch_lodge, client, sign_in
):
    update = evidenced_update
    with later():
        add_a_line(update, compliance_manager, birch_lodge)
        with pytest.raises(ValidationError) as refused:
            services.release_update(update, by=provider_director)
        [said] = [m for m in refused.value.messages if m.startswith(AGAIN)]
        assert "record the sign-off again" in said
        # What changed, as the update's history says it (found: only two times of the same minute).
        assert "(the last change: Line 2 added: Birch Lodge has ended unwitnessed night falls on " in said
        sign_in(provider_director)
        assert AGAIN in unescape(client.get(update.get_absolute_url()).text)

        # The sign-off's page says so, and the same sign-off recorded again is a new record.
        sign_off = chain.step_run(update, chain.SIGN_OFF_STEP)
        page = unescape(client.get(sign_off.get_absolute_url()).text)
        assert "The update's lines changed on " in page and "after this check was recorded" in page

    with later(2):
        chain.record_sign_off(update, by=provider_director, check_done=CHECK_DONE)
        assert services.release_update(update, by=provider_director) is True


def test_a_line_decided_after_the_sign_off_waits_for_it_again(
    evidenced_update, compliance_manager, provider_director
):
    update = evidenced_update
    [line] = update.lines.all()
    with later():
        services.decide_line(line, by=provider_director, state=LineState.FROZEN, reason="No proof yet.")
        with pytest.raises(ValidationError) as refused:
            services.release_update(update, by=provider_director)
        assert any(m.startswith(AGAIN) for m in refused.value.messages)


def test_checking_the_evidence_again_asks_for_no_new_sign_off(evidenced_update, provider_director):
    """A fresh evidence check changes no claim the Provider Director signed off: it needs no sign-off."""
    update = evidenced_update
    with later():
        services.check_evidence(update, by=provider_director)
        assert services.release_update(update, by=provider_director) is True


def test_the_provider_directors_dashboard_asks_for_the_sign_off_again(
    evidenced_update, compliance_manager, provider_director, birch_lodge, client, sign_in
):
    """Found (tester 15): once a line changed after C5, only the Nominated Individual's dashboard said
    to sign off again; the Provider Director, who records it, was not told."""
    with later():
        add_a_line(evidenced_update, compliance_manager, birch_lodge)
        sign_in(provider_director)
        dashboard = unescape(client.get(reverse("dashboard", args=["provider_director"])).text)
    panel = dashboard.split('data-testid="awaiting-release"', 1)[1].split("</div>", 1)[0]
    assert evidenced_update.reference in panel
    assert "record the sign-off again" in panel
