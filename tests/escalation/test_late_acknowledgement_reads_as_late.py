"""An escalation not acknowledged by its deadline says so in every list, in red, with the deadline.

Found by a tester (operations director, 13:30 on a Monday): every escalation read "Raised — to be
acknowledged", those due by 10:00 and 12:00 too, with nothing marking them late."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from escalation import engine
from providers.templatetags.nhsuk import london

from .conftest import at

pytestmark = pytest.mark.django_db


def test_an_escalation_past_its_acknowledgement_deadline_reads_late(
    client, sign_in, chain_a, people, time_machine
):
    time_machine.move_to(at(23, 10, 30), tick=False)
    [a2] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    sign_in(people.quality_director)
    # What the lists say, below the filter (whose "Reminders: not acknowledged in time" is a choice).
    inbox = strip_tags(client.get(reverse("escalation:inbox")).text).split("Yours to do", 1)[1]
    assert "Raised — to be acknowledged" in inbox
    assert "not acknowledged in time" not in inbox

    time_machine.move_to(a2.acknowledge_by + (a2.acknowledge_by - a2.raised_at), tick=False)
    sign_in(people.quality_director)
    late = "Late — acknowledge it now"
    for url in (
        reverse("escalation:inbox"),
        reverse("dashboard", args=["quality_director"]),
        a2.get_absolute_url(),
    ):
        page = client.get(url).text
        assert late in strip_tags(page), url
        assert london(a2.acknowledge_by) in page, "the deadline it missed is beside it"
        assert 'nhsuk-tag--red">Late' in page, url
