"""After redistributing, a reissued notice is judged against its own round's window, and the page
stops advising redistribution once every included service has received the learning."""

from datetime import timedelta

import pytest
import time_machine

from learning_transfer.models import LearningNotice
from learning_transfer.services import acknowledge_notice, issue_notices, redistribute

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
REISSUED = ISSUED + timedelta(hours=5)


@time_machine.travel(REISSUED + timedelta(minutes=10), tick=False)
def test_once_every_service_received_the_reissue_the_page_stops_advising_it(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    redistribute(trigger, by=quality_director, now=REISSUED)  # nobody acknowledged round 1
    for notice in LearningNotice.objects.filter(superseded_at=None):
        acknowledge_notice(notice, by=notice.owner, now=REISSUED + timedelta(minutes=2))
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "Redistribute the learning" not in page
    assert "redistribute the same day" not in page
    assert "Within 4 hours of this round" in page  # round 2 acknowledged 2 minutes after it went out
    assert ">Late<" not in page
