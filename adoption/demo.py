"""Adoption for the demo provider: the learning goes live at Rowan Court, and care-record completion is
compared by team, shift and location.

The story, against a 78 % baseline (B1 escalates when completion improves by under 5 points, below 83):
the day team starts weak on the first floor in the early shift (81) and then aligns (95, 96); the night
team, in the night shift on the Garden wing, stays weak (79, then 80). The service average (86.2) looks
fine, so the night team and the night shift are hidden by it. The night team, the night shift and the
Garden wing are weak now, so closing is refused until they align; the day team, the early shift and the
first floor show "aligned since". The night team's figures, recorded while the average passes, tell the
Operations Director about the night team and the night shift once each (weak-group escalations).
"""

from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from escalation import services as engine
from providers.calendar import LONDON, local_datetime
from providers.choices import Role
from providers.models import RoleAssignment

from . import chain, services

# (UK time on the day the learning went live, team, shift, location, completion %, responses over
# 10 minutes). Each time lies within the shift it names (Rowan Court: early 07:00-15:00, night
# 21:30-07:30). load_demo puts the learning live in the morning of a day that has ended by the time
# the demo is built, so every time is after going live and none is in the future.
B1_OBSERVATIONS = [
    (time(12, 30), "Day team", "early", "First floor", 81, 2),
    (time(13, 30), "Day team", "early", "Garden wing", 95, 1),
    (time(14, 30), "Day team", "early", "First floor", 96, 0),
    (time(21, 45), "Night team", "night", "Garden wing", 79, 3),
    (time(23, 0), "Night team", "night", "Garden wing", 80, 2),
]
# The lead's first check of live practice (B1) for the whole service, on the go-live day's night shift:
# the service average that looks fine (86.2 against the 78 % baseline) while the night team is weak.
# Reporting counts Rowan Court's verification only once live practice was checked there since go-live.
FIRST_B1_AT = time(23, 10)
FIRST_B1 = {"record_completion_pct": 86.2, "responses_over_10_min": 8, "repeat_errors_3_interactions": 0}
# The lead types each group's figures in on the shift, a few minutes after observing them: the record,
# and any weak-group escalation it raises, is dated then (before the demo is built), not when it loads.
TYPED_IN_AFTER = timedelta(minutes=5)


def build_adoption_story(trigger, deployed_at) -> None:
    """Deploy the learning at Rowan Court and record B1 figures for its teams, shifts and locations."""
    match = trigger.matches.select_related("service__registered_manager").get(service__name="Rowan Court")
    service = match.service
    deployment = services.deploy_learning(
        match,
        by=service.registered_manager,
        deployed_at=deployed_at,
        baseline_completion_pct=78,
        # Rowan Court's clinical records before the learning, from a 12-record sample against the MAR
        # charts and treatment notes: what B2's daily sample is reconciled against.
        baseline_omissions_per_100=Decimal("2.1"),
        baseline_wound_care_pct=86,
        baseline_risk_note_pct=88,
        baseline_clinical_note="Sampled on the early and late shifts; night MAR charts were not included.",
        baseline_drill_pct=84,
        now=deployed_at + TYPED_IN_AFTER,
    )
    lead = RoleAssignment.objects.get(role=Role.SERVICE_IMPROVEMENT_LEAD, service=service).user
    teams = {team.name: team for team in service.teams.all()}
    go_live_day = timezone.localtime(deployed_at, LONDON).date()
    for clock, team_name, shift_name, location, completion, slow in B1_OBSERVATIONS:
        observed_at = local_datetime(go_live_day, clock)
        services.record_team_observation(
            deployment,
            by=lead,
            step_code="B1",
            team=teams[team_name],
            shift_name=shift_name,
            location=location,
            values={"record_completion_pct": completion, "responses_over_10_min": slow},
            observed_at=observed_at,
            now=observed_at + TYPED_IN_AFTER,
        )
    first = chain.run_for(deployment).step_runs.filter(code="B1").order_by("due_at").first()
    checked_at = local_datetime(go_live_day, FIRST_B1_AT)
    engine.record_step(
        first,
        by=lead,
        values=FIRST_B1,
        check_done="Care notes against task times for the whole service, both teams.",
        notes="The service average passes; the team figures above show where it does not.",
        now=checked_at,
    )
