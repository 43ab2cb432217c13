"""Finding #12 (b): a weak group's reason names the measure as the step names it ("Care-record
completion ..."), never by the key it is stored under (record_completion_pct)."""

import pytest

from adoption.variation import weak_groups
from escalation.choices import EscalationKind
from escalation.models import Escalation

from .conftest import deploy_with_a_weak_night_team

pytestmark = pytest.mark.django_db

COMPLETION = "record_completion_pct"
IN_A_SENTENCE = "care-record completion for the revised process in the previous 6 hours"  # mid-sentence


@pytest.fixture
def deployment(match, people, elm_house):
    """B1's baseline is 80 % completion; the day team improved by 15 points, the night team by 2 (under
    the 5 points the rule asks for) while the service as a whole improved by 8.5."""
    return deploy_with_a_weak_night_team(match, people, elm_house)


def test_a_weak_groups_reason_names_the_measure_in_words(deployment):
    (escalation,) = Escalation.objects.filter(kind=EscalationKind.WEAK_GROUP)
    assert COMPLETION not in escalation.reason
    assert f"Change in {IN_A_SENTENCE} from baseline (80 to 82: +2 points) is below 5" in escalation.reason


def test_the_weak_groups_of_a_step_are_explained_in_words(deployment):
    (group,) = weak_groups(deployment, "B1")
    assert group["label"] == "team Night team"
    assert COMPLETION not in group["evaluation"].text and IN_A_SENTENCE in group["evaluation"].text
