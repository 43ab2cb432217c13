"""A registered manager, a service improvement lead and a clinical lead walk chain B's pages on a phone:
the deploy form keeps its "nobody to record" warning through any error, its hints speak plain words
before codes, the correction page names the step, the dashboard offers a button per learning to put
live, and "End live monitoring" says why in one sentence with the weak groups listed beneath.

Elm House; the learning went live on Monday 23 November 2026 at 09:00. The clock stands at Tuesday noon."""

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import strip_tags

from adoption import services
from adoption.models import Deployment
from providers.choices import Role
from providers.models import RoleAssignment

from .conftest import at, deploy

pytestmark = pytest.mark.django_db

NO_SIL = "Nobody at Elm House holds the Service Improvement Lead role"
RISK_NOTES = "risk_note_updates_same_shift_pct"


@pytest.fixture(autouse=True)
def tuesday_noon(time_machine):
    time_machine.move_to(at(24, 12), tick=False)


def words(html: str) -> str:
    return " ".join(unescape(strip_tags(html)).split())


def deploy_fields(**changes) -> dict:
    return {
        "deployed_at": "2026-11-23 09:00",
        "baseline_completion_pct": "80",
        "baseline_omissions_per_100": "2.1",
        "baseline_wound_care_pct": "86",
        "baseline_risk_note_pct": "88",
        "baseline_drill_pct": "85",
    } | changes


# --- the deploy form ---------------------------------------------------------------------------------


def test_the_nobody_to_record_warning_and_its_tick_box_survive_any_other_error(client, match, people):
    RoleAssignment.objects.filter(user=people.service_improvement_lead).delete()
    client.force_login(people.registered_manager)
    url = reverse("adoption:deploy", args=[match.pk])
    refused = client.post(url, deploy_fields(baseline_completion_pct="150"))
    assert refused.status_code == 200 and not Deployment.objects.exists()
    assert "baseline_completion_pct" in refused.context["form"].errors
    assert NO_SIL in refused.text and "Some checks would have no one to record them" in refused.text
    assert "deploy_anyway" in refused.context["form"].fields
    # Put right and ticked in one go: the second send deploys.
    deployed = client.post(url, deploy_fields(deploy_anyway="on"))
    assert deployed.status_code == 302 and Deployment.objects.get().service == match.service


def test_the_deploy_forms_hints_say_plain_words_first(client, match, people):
    client.force_login(people.registered_manager)
    page = words(client.get(reverse("adoption:deploy", args=[match.pk])).text)
    assert "The shift checks compare each shift's completion with this figure (B1)." in page
    assert "the daily check of 12 clinical records is compared with this figure and the next two (B2)" in page
    # No hint starts with a step's code.
    assert not re.search(r"\bB[1-5](?:'s)? (compares|daily)", page)


# --- correcting an observation -----------------------------------------------------------------------


def test_the_correction_page_names_the_step_before_its_code(client, match, people):
    deployment = deploy(match, people.registered_manager)
    observation = services.record_team_observation(
        deployment,
        by=people.service_improvement_lead,
        step_code="B1",
        values={"record_completion_pct": 90},
        shift_name="late",
        observed_at=at(23, 15),
    )
    client.force_login(people.service_improvement_lead)
    page = client.get(reverse("adoption:correct_observation", args=[observation.pk])).text
    assert (
        'Step</dt><dd class="nhsuk-summary-list__value">Check the new way of working on each shift '
        '<span class="app-code">B1</span></dd>'
    ) in page


# --- the registered manager's dashboard --------------------------------------------------------------


def test_each_learning_ready_to_deploy_has_its_own_button(client, match, people):
    client.force_login(people.registered_manager)
    reference = match.trigger.reference
    url = reverse("adoption:deploy", args=[match.pk])
    for page in (
        client.get(reverse("dashboard", args=[Role.REGISTERED_MANAGER])).text,
        client.get(reverse("adoption:my_service")).text,
    ):
        button = re.search(rf'<a class="nhsuk-button[^"]*" href="{url}"[^>]*>([^<]*)</a>', page)
        assert button, "the learning is put live from a button"
        assert button.group(1) == f"Put {reference} live at Elm House"
        assert ">deploy<" not in page


# --- ending live monitoring --------------------------------------------------------------------------


def test_end_live_monitoring_says_why_in_one_sentence_and_lists_the_weak_groups(client, match, people, teams):
    deployment = deploy(match, people.registered_manager)
    lead = people.service_improvement_lead
    for shift, completion, when in (("night", 83, at(23, 23)), ("late", 95, at(23, 15))):
        services.record_team_observation(
            deployment,
            by=lead,
            step_code="B1",
            values={"record_completion_pct": completion},
            shift_name=shift,
            observed_at=when,
        )
    services.record_team_observation(
        deployment,
        by=people.clinical_lead,
        step_code="B2",
        values={RISK_NOTES: 88},
        team=teams["Yew"],
        observed_at=at(24, 11),
    )
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    ending = page[page.index('id="close"') :]
    ending = ending[: ending.index("</div>")]
    assert (
        "<p>Monitoring cannot end while a group is weak now: keep enhanced review in place until each "
        "of these aligns.</p>" in ending
    )
    items = [words(item) for item in re.findall(r"<li>(.*?)</li>", ending, re.S)]
    assert (
        "The night shift: Care-record completion for the revised process in the previous 6 hours (B1), "
        "latest 83 against a baseline of 80: up 3 points, where the check asks for a rise of at least 5"
    ) in items
    assert any(
        item.startswith("Team Yew: Risk-note updates")
        and "latest 88, below the 93 % the check asks for" in item
        for item in items
    )
    assert not any("threshold" in item for item in items), "each threshold is said once, by its measure"
    assert ". the " not in words(ending)

    # Closing anyway is refused with the same sentence, naming each group after it.
    with pytest.raises(ValidationError) as refused:
        services.close_deployment(deployment, by=people.registered_manager, reason="Done.")
    (message,) = [m for m in refused.value.messages if "weak now" in m]
    assert message.startswith("Monitoring cannot end while a group is weak now: keep enhanced review")
    assert (
        "The night shift: Care-record completion" in message
        and "latest 83 against a baseline of 80: up 3 points, where the check asks for a rise of at least 5."
        in message
    )
