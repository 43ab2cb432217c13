"""Adoption for the demo provider: the learning goes live at Rowan Court, and care-record completion is
compared by team, shift and location.

The story, against a 78 % baseline (B1 escalates when completion improves by under 5 points, below 83):
the day team starts weak on the first floor (81) and then aligns (95, 96); the night team stays weak
(79, then 80 on the Garden wing). The service average (86.2) looks fine, so the night team and the night
shift are hidden by it. The night team, the night shift and the Garden wing are weak now, so closing is
refused until they align; the day team, the early shift and the first floor show "aligned since".
The night team's last figure, recorded while the average passes, tells the Operations Director about
the night team and the night shift (weak-group escalations).
"""

from datetime import timedelta

from django.utils import timezone

from providers.choices import Role
from providers.models import RoleAssignment

from . import services

# (hours after going live, team, shift, location, completion %, responses over 10 minutes)
# Every observation falls within 11 hours of going live: load_demo deploys a day and an hour after a
# failure confirmed at 10:30 two working days back, so going live was at least 12 hours ago.
B1_OBSERVATIONS = [
    (1, "Day team", "early", "First floor", 81, 2),
    (2, "Night team", "night", "First floor", 79, 3),
    (5, "Day team", "early", "Garden wing", 95, 1),
    (8, "Day team", "early", "First floor", 96, 0),
    (10, "Night team", "night", "Garden wing", 80, 2),
]


def build_adoption_story(trigger, deployed_at) -> None:
    """Deploy the learning at Rowan Court and record B1 figures for its teams, shifts and locations."""
    match = trigger.matches.select_related("service__registered_manager").get(service__name="Rowan Court")
    service = match.service
    deployment = services.deploy_learning(
        match,
        by=service.registered_manager,
        deployed_at=deployed_at,
        baseline_completion_pct=78,
        baseline_clinical_note="Risk notes updated in the same shift in 88 % of sampled records.",
        baseline_drill_pct=84,
    )
    lead = RoleAssignment.objects.get(role=Role.SERVICE_IMPROVEMENT_LEAD, service=service).user
    teams = {team.name: team for team in service.teams.all()}
    now = timezone.now()
    for hours, team_name, shift_name, location, completion, slow in B1_OBSERVATIONS:
        services.record_team_observation(
            deployment,
            by=lead,
            step_code="B1",
            team=teams[team_name],
            shift_name=shift_name,
            location=location,
            values={"record_completion_pct": completion, "responses_over_10_min": slow},
            # Never in the future, whatever the clock says when the demo is built.
            observed_at=min(deployed_at + timedelta(hours=hours), now),
        )
