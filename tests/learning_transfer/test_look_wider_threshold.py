"""The "look wider" prompt follows A1's rule as the trigger's case runs it: a provider that makes
mandatory learning wait for more than 4 matched services is prompted to look wider with 3, and the
default rule (more than 2) is not; a case keeps the rule it started with."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation import services as engine
from escalation.models import StepTemplate
from escalation.rules import threshold_of, with_thresholds
from learning_transfer import chain
from learning_transfer.choices import HarmLevel
from learning_transfer.services import adjust_match

from .conftest import add_incidents

pytestmark = pytest.mark.django_db
PROMPT = 'data-testid="look-wider"'


def tune_a1_to_more_than(provider, administrator, matches: int) -> None:
    """The provider's A1 calls for mandatory learning only where more than `matches` services match."""
    a1 = StepTemplate.objects.get(chain__code="A", code="A1")
    engine.tune_step(
        provider,
        a1,
        by=administrator,
        reason=f"Large group: learning is mandatory only when more than {matches} homes match.",
        threshold_rule=with_thresholds(a1.threshold_rule, [matches]),
        response_working_hours=a1.response_working_hours,
    )


def cqc_notified_fall_matching_three(log_falls_trigger, falls_provider, by):
    """A fall notified to CQC at Elm House, matched to Beech, Cedar and Dove (Ash left out)."""
    (incident,) = add_incidents(
        falls_provider["elm"], 1, prefix="cqc-fall", regulatory_notification=True, harm_level=HarmLevel.SEVERE
    )
    trigger = log_falls_trigger(source_incident=incident)  # Ash, Beech, Cedar and Dove: 4 services
    adjust_match(trigger, falls_provider["ash"], False, "Closed for refurbishment.", by=by)
    return trigger


def prompt_on(client, trigger) -> str:
    """The look-wider prompt on the trigger's page, or "" when the page shows none."""
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    if PROMPT not in page:
        return ""
    prompt = page[page.index(PROMPT) :]
    return prompt[: prompt.index("</div>")]


def test_a_provider_requiring_more_than_four_matches_is_prompted_to_look_wider_with_three(
    client, sign_in, log_falls_trigger, falls_provider, provider, administrator, quality_director
):
    tune_a1_to_more_than(provider, administrator, 4)
    trigger = cqc_notified_fall_matching_three(log_falls_trigger, falls_provider, quality_director)
    sign_in(quality_director)
    prompt = prompt_on(client, trigger)
    assert "Only 3 other services matched this failure's risk profile" in prompt
    assert "where more than 4 services match" in prompt  # the number is the provider's, not the seed's


def test_the_default_rule_does_not_prompt_with_three_matches(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    trigger = cqc_notified_fall_matching_three(log_falls_trigger, falls_provider, quality_director)
    sign_in(quality_director)
    assert prompt_on(client, trigger) == ""


def test_a_case_keeps_the_rule_it_started_with_and_a_trigger_without_one_follows_the_provider_now(
    client, sign_in, log_falls_trigger, falls_provider, provider, administrator, quality_director
):
    trigger = cqc_notified_fall_matching_three(log_falls_trigger, falls_provider, quality_director)
    tune_a1_to_more_than(provider, administrator, 4)  # after the case started: it keeps "more than 2"
    sign_in(quality_director)
    assert prompt_on(client, trigger) == ""
    chain.run_for(trigger).delete()  # as for a history loaded in bulk: no case, the rule as run now
    assert "Only 3 other services matched" in prompt_on(client, trigger)


def test_the_prompt_costs_the_trigger_page_no_query(
    client, sign_in, log_falls_trigger, falls_provider, provider, administrator, quality_director
):
    """Whether it shows or not, the prompt reads A1's rule from the case the page has loaded."""
    trigger = cqc_notified_fall_matching_three(log_falls_trigger, falls_provider, quality_director)
    sign_in(quality_director)
    url = f"/learning/triggers/{trigger.pk}/"
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as without_prompt:
        client.get(url)
    adjust_match(trigger, falls_provider["beech"], False, "Closed for refurbishment.", by=quality_director)
    client.get(url)
    with CaptureQueriesContext(connection) as with_prompt:
        assert PROMPT in client.get(url).text
    assert len(with_prompt) == len(without_prompt)


def test_the_threshold_of_a_measure_is_read_from_the_rule_as_tuned():
    rule = {
        "all": [
            {"measure": "matched_services", "op": ">", "value": 4},
            {"any_item": "matched_service_rates", "op": ">", "measure_ref": "provider_median_rate"},
        ]
    }
    assert threshold_of(rule, "matched_services") == 4
    assert threshold_of(rule, "matched_service_rates") is None  # compared with a measure, not a number
    assert threshold_of({"measure": "matched_services", "op": ">=", "value": 3}, "matched_services") is None
    assert threshold_of({"measure": "open_actions_due_5d", "op": ">", "value": 3}, "matched_services") is None
