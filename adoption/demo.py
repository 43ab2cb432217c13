"""Adoption for the demo provider: the learning goes live at Rowan Court, and the night team's record
completion lags while the service average looks fine (the variation page shows it)."""

from datetime import timedelta

from providers.choices import Role
from providers.models import RoleAssignment

from . import services


def build_adoption_story(trigger, deployed_at) -> None:
    """Deploy the learning at Rowan Court and record B1 figures for its two teams."""
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
    for team_name, shift_name, completion in (("Day team", "early", 96), ("Night team", "night", 79)):
        services.record_team_observation(
            deployment,
            by=lead,
            step_code="B1",
            team=service.teams.get(name=team_name),
            shift_name=shift_name,
            values={"record_completion_pct": completion, "responses_over_10_min": 1},
            observed_at=deployed_at + timedelta(hours=6),
        )
