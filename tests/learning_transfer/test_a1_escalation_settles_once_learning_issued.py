"""A1's breach asks the Operations Director to "initiate same-day mandatory learning issue". Found: once
the learning was issued, that escalation stayed open and climbed (the Nominated Individual was chased
at level 3 four days later for learning issued hours before), and A1 recorded after the issue still
raised it. Issuing the learning settles it, saying so; recorded after the issue, it is settled at once."""

import pytest

from escalation.models import Escalation
from learning_transfer import chain
from learning_transfer.services import issue_notices

from .conftest import add_incidents

pytestmark = pytest.mark.django_db


@pytest.fixture
def mandatory(log_falls_trigger, falls_provider, managers):
    add_incidents(falls_provider["ash"], 1, prefix="extra")  # puts Ash Grove above the median
    return log_falls_trigger()


def _a1_escalations(trigger):
    return Escalation.objects.filter(step_run=chain.step_run(trigger, "A1"), kind="breach")


def test_issuing_the_learning_settles_the_a1_escalation(
    client, sign_in, mandatory, quality_director, operations_director
):
    sign_in(quality_director)
    client.post(f"/learning/triggers/{mandatory.pk}/a1/")
    [escalation] = _a1_escalations(mandatory)
    assert escalation.state == "raised"

    issue_notices(mandatory, by=quality_director)
    escalation.refresh_from_db()
    assert escalation.state == "resolved" and escalation.settled
    assert "learning was issued" in escalation.resolution_note


def test_a1_recorded_after_the_issue_asks_nobody_to_issue_it(client, sign_in, mandatory, quality_director):
    issue_notices(mandatory, by=quality_director)
    sign_in(quality_director)
    client.post(f"/learning/triggers/{mandatory.pk}/a1/")
    assert chain.step_run(mandatory, "A1").records.get(is_current=True).breached
    assert [e.state for e in _a1_escalations(mandatory)] in ([], ["resolved"])
    assert not _a1_escalations(mandatory).filter(state="raised").exists()
