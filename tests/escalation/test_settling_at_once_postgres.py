"""Two directors resolve two levels of one escalation while its step is recorded, at the same moment:
nobody waits on anybody for ever (no deadlock), each level is resolved or settled once, with one event,
and a level above is settled by a resolution below it only once the step is recorded.

PostgreSQL only (see tests/concurrency.py).
"""

from itertools import count

import pytest

from escalation import engine, notifications, services
from escalation.choices import EventKind
from escalation.models import Escalation
from tests.concurrency import postgresql_only, submit_at_once
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

A2_VALUES = {"pct_received_within_4h": 100, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Committed transactions would queue the e-mail sender; nobody is e-mailed in these stories."""
    monkeypatch.setattr(notifications, "_enqueue_sender", lambda: None)


def test_resolving_two_levels_while_the_step_is_recorded_settles_each_level_once(chain_a, people):
    a2 = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    a2 += [e for e in engine.tick(at(23, 12, 20)).follow_ups if e.step_run.code == "A2"]
    a2 += [e for e in engine.tick(at(23, 14, 21)).follow_ups if e.step_run.code == "A2"]
    first, second, third = a2
    services.record_action(first, by=people.quality_director, action_taken="Chased.", now=at(23, 14, 30))
    services.record_action(second, by=people.provider_director, action_taken="Chased.", now=at(23, 14, 30))
    submits = [
        lambda: services.resolve(
            Escalation.objects.get(pk=first.pk), by=people.quality_director, note="Done.", now=at(23, 14, 40)
        ),
        lambda: services.resolve(
            Escalation.objects.get(pk=second.pk),
            by=people.provider_director,
            note="Done.",
            now=at(23, 14, 40),
        ),
        lambda: services.record_step(
            step(chain_a, "A2"),
            by=people.governance_officer,
            values=A2_VALUES,
            now=at(23, 14, 40),
            check_done=CHECK_DONE,
        ),
    ]
    turn = count()
    accepted, refused = submit_at_once(lambda: submits[next(turn)](), times=len(submits))
    assert len(accepted) + len(refused) == 3
    assert set(refused) <= {"Someone else resolved or changed this escalation just now."}
    for level in (first, second, third):
        level.refresh_from_db()
        assert level.state == "resolved"
        assert level.events.filter(kind=EventKind.ESCALATION_RESOLVED).count() == 1
    # Nobody took the top level up: recording the step settles it, whichever came first.
    assert third.settled
    # Each director resolved their own level, or one resolved first and settled the other's (the
    # Provider Director's resolution settles the level below; the Quality Director's settles the
    # level above only once the step is recorded); never both settled.
    assert [first.settled, second.settled].count(True) == len(refused) <= 1
