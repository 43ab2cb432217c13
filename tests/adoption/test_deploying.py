"""Deploying learning at a matched service starts chain B; some services cannot be deployed to."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from adoption import chain
from adoption.models import Deployment
from escalation.models import ChainRun

from .conftest import at, deploy, make_match, ready_to_close

pytestmark = pytest.mark.django_db


def test_deploying_starts_chain_b_with_a_b1_check_each_shift(match, people):
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9))
    run = chain.run_for(deployment)
    assert run.service == deployment.service and run.anchor_at == at(23, 9)
    b1 = [s.due_at for s in run.step_runs.filter(code="B1").order_by("occurrence")]
    # The first shift starting after 09:00 is Monday's late shift (14:00): due 4 hours in.
    assert b1[:3] == [at(23, 18), at(24, 1, 30), at(24, 11)]
    assert len(b1) == 3 * 7 + 1  # early, late and night each day to Monday 30th, plus that day's early
    assert run.step_runs.get(code="B5").due_at == at(26, 9, 36)  # 09:36 on the third working day
    assert run.step_runs.get(code="B3").due_at == at(24, 15)  # 30 hours after rollout
    b2 = [s.due_at for s in run.step_runs.filter(code="B2").order_by("occurrence")]
    assert b2[0] == at(23, 14, 16) and len(b2) == 6


def test_b1_form_is_prefilled_with_the_deployment_baseline(match, people):
    from escalation import computations

    deployment = deploy(match, people.registered_manager)
    b1 = chain.run_for(deployment).step_runs.filter(code="B1").first()
    assert computations.compute(b1).values["record_completion_pct__baseline"] == 80.0


def test_the_operations_director_and_deputy_regional_manager_may_deploy(match, people):
    assert deploy(match, people.deputy_regional_manager).deployed_by == people.deputy_regional_manager


def test_deploying_is_refused_without_an_implementation_lead(elm_house, birch_lodge, shifts, people, chains):
    match = make_match(elm_house, birch_lodge, people.registered_manager, with_lead=False)
    with pytest.raises(ValidationError, match="no confirmed implementation lead"):
        deploy(match, people.registered_manager)
    assert not Deployment.objects.exists() and not ChainRun.objects.exists()


def test_deploying_is_refused_at_a_service_left_out(elm_house, birch_lodge, shifts, people, chains):
    match = make_match(elm_house, birch_lodge, people.registered_manager, included=False)
    with pytest.raises(ValidationError, match="left out of this learning"):
        deploy(match, people.registered_manager)


def test_deploying_the_learning_of_a_closed_trigger_is_refused(match, people):
    match.trigger.status = "closed"
    match.trigger.save()
    with pytest.raises(ValidationError, match="closed"):
        deploy(match, people.registered_manager)
    assert not Deployment.objects.exists()


def test_deploying_twice_is_refused(match, people):
    deploy(match, people.registered_manager)
    with pytest.raises(ValidationError, match="already deployed"):
        deploy(match, people.operations_director)


def test_a_service_without_shift_patterns_keeps_no_deployment(
    chains, cedar_court, birch_lodge, people, provider
):
    from providers.choices import Role
    from tests.factories import give_role

    give_role(people.registered_manager, Role.REGISTERED_MANAGER, service=cedar_court)
    match = make_match(cedar_court, birch_lodge, people.registered_manager)
    with pytest.raises(ValidationError, match="no shift patterns"):
        deploy(match, people.registered_manager)
    assert not Deployment.objects.exists()


def test_only_deployer_roles_of_that_service_may_deploy(match, people):
    with pytest.raises(PermissionDenied):
        deploy(match, people.clinical_lead)
    with pytest.raises(PermissionDenied):
        deploy(match, people.quality_director)


def test_closing_a_deployment_closes_its_open_checks_with_a_reason(match, people):
    from adoption import services
    from escalation.choices import ChainRunStatus, StepRunState

    deployment = deploy(match, people.registered_manager)
    with pytest.raises(ValidationError, match="reason"):
        services.close_deployment(deployment, by=people.registered_manager, reason=" ")
    with pytest.raises(PermissionDenied):
        services.close_deployment(deployment, by=people.clinical_lead, reason="Aligned.")
    ready_to_close(deployment, people)
    services.close_deployment(deployment, by=people.registered_manager, reason="Every team aligned.")
    run = chain.run_for(deployment)
    assert deployment.status == "closed" and run.status == ChainRunStatus.CLOSED
    assert not run.step_runs.filter(state=StepRunState.DUE).exists()
    assert deployment.history.first().history_change_reason == "Every team aligned."


def test_the_history_says_when_the_learning_went_live_was_recorded_and_why(match, people):
    """The deployment's history names what happened, not "Not given", at the moment it was recorded."""
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9), now=at(23, 9, 5))
    [created] = deployment.history.all()
    assert created.history_change_reason == "Learning put live at Elm House"
    assert created.history_date == at(23, 9, 5)
    assert created.history_user == people.registered_manager
