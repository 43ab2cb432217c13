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
