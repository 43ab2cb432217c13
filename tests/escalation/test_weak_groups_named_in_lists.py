"""Two weak-group escalations of one check name their groups in every list, and the detail page says
the group as a sentence would (found by a tester: two identical rows, and "Weak group: Team Night team")."""

import pytest

from escalation.choices import EscalationKind
from escalation.models import Escalation


@pytest.mark.parametrize(
    ("group", "words"),
    [("shift night", "the night shift"), ("team Night team", "the Night team"), ("team Yew", "team Yew")],
)
def test_a_weak_group_escalation_names_its_group(group, words):
    escalation = Escalation(kind=EscalationKind.WEAK_GROUP, group=group)
    assert escalation.kind_words == f"Weak group hidden by the average: {words}"
    assert escalation.group_words == words


def test_other_escalations_read_as_their_kind():
    escalation = Escalation(kind=EscalationKind.OVERDUE, group="Rowan Court")
    assert escalation.kind_words == "Step overdue"
    assert escalation.group_words == "Rowan Court", "an affected service is named as it is"


def test_a_follow_up_names_the_group_its_first_level_was_about():
    """Found: a reminder that nobody acknowledged the weak night shift, and another that nobody
    acknowledged the overdue check itself, read as the same row; the first's page said "Affected
    service: Shift night"."""
    weak = Escalation(pk=1, kind=EscalationKind.WEAK_GROUP, group="shift night")
    reminder = Escalation(kind=EscalationKind.FOLLOW_UP, group="shift night", root=weak)
    overdue_reminder = Escalation(kind=EscalationKind.FOLLOW_UP, group="")
    assert reminder.kind_words == "Not acknowledged in time: the night shift"
    assert overdue_reminder.kind_words == "Not acknowledged in time"
    assert reminder.about_weak_group and not overdue_reminder.about_weak_group
