"""A provider's administrator tunes a step's threshold or window, with a reason; the seed stays default."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from escalation import engine, services
from escalation.models import ProviderStepSetting, StepTemplate
from escalation.rules import with_thresholds
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db
A2_95 = {"pct_received_within_4h": 95, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}


def tune_a2(people, provider, threshold=90, window=Decimal("0.5")):
    a2 = StepTemplate.objects.get(code="A2")
    return services.tune_step(
        provider,
        a2,
        by=people.administrator,
        reason="Board agreed a 90 % tolerance while the new mailing list beds in.",
        threshold_rule=with_thresholds(a2.threshold_rule, [threshold]),
        response_working_hours=window,
    )


def test_a_tuned_threshold_applies_to_new_cases_of_that_provider(
    chains, people, provider, elm_house, subject
):
    tune_a2(people, provider)
    run = services.start_chain(
        "A", provider=provider, subject=subject(), anchor_at=at(20, 16), service=elm_house
    )
    a2 = step(run, "A2")
    assert a2.threshold_rule == {"measure": "pct_received_within_4h", "op": "<", "value": 90}
    assert a2.response_working_hours == Decimal("0.5")
    record = services.record_step(
        a2, by=people.governance_officer, values=A2_95, now=at(23, 10), check_done=CHECK_DONE
    )
    assert record.breached is False  # 95 % would breach the default of 100 %
    [overdue] = engine.tick(at(23, 11, 1)).overdue  # A1, with its default window
    assert overdue.acknowledge_by == at(23, 12, 1)


def test_the_tuned_window_sets_the_acknowledgement_deadline(chains, people, provider, elm_house, subject):
    tune_a2(people, provider)
    run = services.start_chain(
        "A", provider=provider, subject=subject(), anchor_at=at(20, 16), service=elm_house
    )
    overdue = {e.step_run.code: e for e in engine.tick(at(23, 10, 19)).overdue}
    assert overdue["A2"].step_run == step(run, "A2") and overdue["A2"].acknowledge_by == at(23, 10, 49)
    assert overdue["A1"].acknowledge_by == at(23, 11, 19)  # A1 keeps the default window


def test_another_provider_keeps_the_default(chains, people, provider, other_provider_service, subject):
    tune_a2(people, provider)
    other = other_provider_service.provider
    run = services.start_chain(
        "A", provider=other, subject=subject(), anchor_at=at(20, 16), service=other_provider_service
    )
    assert step(run, "A2").threshold_rule["value"] == 100


def test_tuning_keeps_history_and_needs_a_reason_and_the_administrator(chains, people, provider):
    setting = tune_a2(people, provider)
    tune_a2(people, provider, threshold=95)
    setting.refresh_from_db()
    assert [h.threshold_rule["value"] for h in setting.history.order_by("history_id")] == [90, 95]
    assert setting.history.first().history_user == people.administrator
    a2 = StepTemplate.objects.get(code="A2")
    with pytest.raises(ValidationError, match="reason"):
        services.tune_step(provider, a2, by=people.administrator, reason=" ", response_working_hours=1)
    with pytest.raises(PermissionDenied):
        services.tune_step(
            provider, a2, by=people.quality_director, reason="Faster", response_working_hours=1
        )
    assert ProviderStepSetting.objects.count() == 1
    assert a2.threshold_rule["value"] == 100  # the template itself never changes
