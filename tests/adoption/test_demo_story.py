"""The demo's Rowan Court deployment shows seed 004 at work: variation by team, shift and location, a
night team still weak now (so monitoring cannot end yet) and a day team that was weak and has aligned."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from adoption import services
from adoption.models import Deployment
from escalation.choices import EscalationKind
from escalation.models import Escalation
from tests.accessibility import assert_accessible

pytestmark = pytest.mark.django_db


@pytest.fixture
def rowan_court(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", days=7, stdout=StringIO())
    return Deployment.objects.select_related("service__registered_manager").get(service__name="Rowan Court")


def test_the_night_team_is_weak_now_and_the_day_team_has_aligned(rowan_court):
    (section,) = [
        s for s in services.variation_sections(rowan_court) if s["measure"] == "record_completion_pct"
    ]
    rows = {(r["dimension"], r["group"]): r for r in section["rows"]}

    assert {"First floor", "Garden wing"} <= {group for dimension, group in rows if dimension == "location"}
    weak_now = {(r["dimension"], r["group"]) for r in section["weak_now"]}
    assert weak_now == {("team", "Night team"), ("shift", "night"), ("location", "Garden wing")}
    assert rows[("team", "Night team")]["latest"] == 80  # 2 points over the 78 % baseline: under 5
    day = rows[("team", "Day team")]
    assert day["aligned_since"] is not None and not day["weak_now"] and day["latest"] == 96
    assert {(r["dimension"], r["group"]) for r in section["aligned"]} == {
        ("team", "Day team"),
        ("shift", "early"),
        ("location", "First floor"),
    }


def test_the_demo_manager_cannot_close_rowan_court_yet(rowan_court, client):
    manager = rowan_court.service.registered_manager
    with pytest.raises(ValidationError, match="The Night team: "):
        services.close_deployment(rowan_court, by=manager, reason="The average looks fine.")
    client.force_login(manager)
    page = client.get(reverse("adoption:deployment_detail", args=[rowan_court.pk]))
    assert "Closing is not available yet" in page.text
    assert "The Night team: Care-record completion" in page.text
    # Tester 16: "Team Day team", "shift late", and no word of which list to act on.
    assert "<strong>Weak now (act on these):</strong> the Night team, the night shift" in page.text
    assert "shift late" not in page.text and "Team Night team" not in page.text
    assert "Aligned since" in page.text
    assert_accessible(page.text)


def test_the_demo_groups_weak_now_were_escalated_once_each(rowan_court):
    """The night team, the night shift and the Garden wing, each weak now (the Garden wing by its latest
    figures alone: a group weak now is told of, whatever its mean)."""
    # Raised when the figures were recorded, days before the demo is built: by then the engine may have
    # followed them up one rung higher (level 2), depending on the day it is loaded.
    escalations = Escalation.objects.filter(
        kind=EscalationKind.WEAK_GROUP, service=rowan_court.service, level=1
    )
    assert sorted(escalations.values_list("group", "target_role")) == [
        ("location Garden wing", "operations_director"),
        ("shift night", "operations_director"),
        ("team Night team", "operations_director"),
    ]
