"""A serious failure notified to CQC, or causing severe harm, whose risk profile matched few or no other
services prompts the quality director to look wider: such a failure may still hold learning elsewhere."""

import pytest

from learning_transfer.choices import HarmLevel, IncidentTheme
from learning_transfer.services import adjust_match, issue_notices
from providers.choices import RiskTag

from .conftest import add_incidents

pytestmark = pytest.mark.django_db
PROMPT = "No other service matched this failure's risk profile"
WIDER = "may still hold learning for other kinds of service"


def pressure_ulcer_trigger(log_falls_trigger, elm_house, **incident_fields):
    """A wound-care failure at Elm House: no other service of the provider carries the wound-care tag."""
    (incident,) = add_incidents(elm_house, 1, theme=IncidentTheme.PRESSURE_ULCER, **incident_fields)
    return log_falls_trigger(
        title="Grade 4 pressure ulcer",
        theme=IncidentTheme.PRESSURE_ULCER,
        risk_tags=[RiskTag.WOUND_CARE],
        source_incident=incident,
    )


def test_a_cqc_notified_failure_matching_no_service_prompts_the_quality_director_to_look_wider(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    trigger = pressure_ulcer_trigger(
        log_falls_trigger, falls_provider["elm"], harm_level=HarmLevel.SEVERE, regulatory_notification=True
    )
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    prompt = page[page.index('data-testid="look-wider"') :]
    prompt = prompt[: prompt.index("</div>")]
    assert PROMPT in prompt and "notified to CQC" in prompt and WIDER in prompt
    assert f'href="/learning/triggers/{trigger.pk}/matches/"' in prompt


def test_people_who_cannot_change_the_matching_see_the_prompt_without_the_link(
    client, sign_in, log_falls_trigger, falls_provider, nominated_individual
):
    trigger = pressure_ulcer_trigger(
        log_falls_trigger, falls_provider["elm"], harm_level=HarmLevel.DEATH, regulatory_notification=False
    )
    sign_in(nominated_individual)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    prompt = page[page.index('data-testid="look-wider"') :]
    prompt = prompt[: prompt.index("</div>")]
    assert PROMPT in prompt and "caused a death" in prompt
    assert "/matches/" not in prompt
    assert "The quality director can review the matching" in prompt


def test_two_matches_still_prompt_a_wider_look_three_do_not(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    """Two matched services are too few for A1's rule (more than 2) ever to require the learning."""
    (incident,) = add_incidents(
        falls_provider["elm"], 1, prefix="cqc-fall", regulatory_notification=True, harm_level=HarmLevel.SEVERE
    )
    trigger = log_falls_trigger(source_incident=incident)  # Ash, Beech, Cedar and Dove: 4 services
    sign_in(quality_director)
    assert 'data-testid="look-wider"' not in client.get(f"/learning/triggers/{trigger.pk}/").text
    for key in ("ash", "beech"):
        adjust_match(trigger, falls_provider[key], False, "Closed for refurbishment.", by=quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "Only 2 other services matched this failure's risk profile" in page


def test_a_failure_neither_notified_nor_severe_gets_no_prompt(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    trigger = pressure_ulcer_trigger(log_falls_trigger, falls_provider["elm"], harm_level=HarmLevel.MODERATE)
    sign_in(quality_director)
    assert 'data-testid="look-wider"' not in client.get(f"/learning/triggers/{trigger.pk}/").text


def test_once_the_learning_is_issued_leaving_services_out_prompts_nothing(
    client, sign_in, log_falls_trigger, falls_provider, managers, quality_director
):
    """Found: after two services were left out of issued learning, the prompt read "Only 2 other
    services matched … mandatory learning goes out only where more than 2 match", as if the learning
    should never have gone out. Issued, the prompt has done its work."""
    (incident,) = add_incidents(
        falls_provider["elm"], 1, prefix="cqc-fall", regulatory_notification=True, harm_level=HarmLevel.SEVERE
    )
    trigger = log_falls_trigger(source_incident=incident)
    issue_notices(trigger, by=quality_director)
    for key in ("ash", "beech"):
        adjust_match(trigger, falls_provider[key], False, "Closed for refurbishment.", by=quality_director)
    sign_in(quality_director)
    assert 'data-testid="look-wider"' not in client.get(f"/learning/triggers/{trigger.pk}/").text
