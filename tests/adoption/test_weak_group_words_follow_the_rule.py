"""A weak group is described against what it is judged by. B2 ("Check clinical records follow the
change") and B3 ("Check staff can carry out the new procedure") judge a group against a fixed figure
(93 % of risk notes in the same shift; 90 % correct demonstration), not the deployment's baseline:
"latest 91 against a baseline of 90" read as weak while above its baseline. B1 judges completion's
improvement on the baseline, so its words keep the baseline. The deployment page, the refusal to end
live monitoring and the evidence pack's account of live practice all say the same.

Elm House went live on Monday 23 November 2026 at 09:00: baselines 90 % of risk notes in the same
shift, 85 % at the last drill, 80 % care-record completion."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import strip_tags

from adoption import services
from adoption.weak_words import compared_with_words
from reporting_control.live_adoption import live_practice

from .conftest import at, deploy

pytestmark = pytest.mark.django_db

RISK_NOTES = "risk_note_updates_same_shift_pct"
DEMONSTRATION = "avg_demonstration_pct"


@pytest.fixture
def deployment(match, people, time_machine):
    time_machine.move_to(at(23, 9), tick=False)
    return deploy(match, people.registered_manager)


def observe(deployment, by, code, measure, value, when, **group):
    return services.record_team_observation(
        deployment, by=by, step_code=code, values={measure: value}, observed_at=when, **group
    )


@pytest.fixture
def weak_groups_of_each_kind(deployment, teams, people, time_machine):
    """Team Yew's risk notes at 91 % (above the 90 baseline, below B2's 93) while Oak's are at 98;
    the late shift's drill at 88 % (above the 85 baseline, below B3's 90) while the early shift's is
    at 97; the night shift's completion at 83 (3 points over the 80 baseline, under B1's 5)."""
    time_machine.move_to(at(24, 12), tick=False)
    clinical, lead = people.clinical_lead, people.service_improvement_lead
    observe(deployment, clinical, "B2", RISK_NOTES, 98, at(23, 14), team=teams["Oak"])
    observe(deployment, clinical, "B2", RISK_NOTES, 91, at(23, 15), team=teams["Yew"])
    observe(deployment, lead, "B3", DEMONSTRATION, 97, at(23, 10), shift_name="early")
    observe(deployment, lead, "B3", DEMONSTRATION, 88, at(23, 16), shift_name="late")
    observe(deployment, lead, "B1", "record_completion_pct", 83, at(23, 23), shift_name="night")


def ending_items(page: str) -> list[str]:
    """The weak groups listed under "End live monitoring", as read."""
    ending = page[page.index('id="close"') :]
    ending = ending[: ending.index("</div>")]
    return [" ".join(strip_tags(item).split()) for item in re.findall(r"<li>(.*?)</li>", ending, re.S)]


YEW = "latest 91, below the 93 % the check asks for"
LATE = "latest 88, below the 90 % the check asks for"
# Found: "latest 80 against a baseline of 78" did not say why a figure above its baseline was weak.
NIGHT = "latest 83 against a baseline of 80: up 3 points, where the check asks for a rise of at least 5"


def test_the_page_compares_each_weak_group_with_what_it_is_judged_by(
    client, deployment, people, weak_groups_of_each_kind
):
    client.force_login(people.registered_manager)
    items = ending_items(client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text)

    (yew,) = [item for item in items if item.startswith("Team Yew")]
    assert yew.endswith(YEW) and "baseline" not in yew
    (late,) = [item for item in items if item.startswith("The late shift")]
    assert late.endswith(LATE) and "baseline" not in late
    (night,) = [item for item in items if item.startswith("The night shift")]
    assert night.endswith(NIGHT)


def test_the_refusal_to_end_monitoring_says_the_same(deployment, people, weak_groups_of_each_kind):
    with pytest.raises(ValidationError) as refused:
        services.close_deployment(deployment, by=people.registered_manager, reason="Done.")
    (message,) = [m for m in refused.value.messages if "weak now" in m]
    assert f"{YEW}." in message and f"{LATE}." in message and f"{NIGHT}." in message
    assert "against a baseline of 90" not in message and "against a baseline of 85" not in message


def test_the_evidence_pack_says_the_same(deployment, match, weak_groups_of_each_kind):
    match.refresh_from_db()
    match.implementation_confirmed_at = at(23, 10)
    match.save()
    weak = live_practice([match], at(24, 12))[match.pk].weak
    assert any(text.startswith("Team Yew") and text.endswith(YEW) for text in weak)
    assert any(text.startswith("The late shift") and text.endswith(LATE) for text in weak)
    assert any(text.startswith("The night shift") and text.endswith(NIGHT) for text in weak)


def test_the_observations_table_names_each_step_in_words(
    client, deployment, people, weak_groups_of_each_kind
):
    """The Step column reads the step's name, its code a small label after it, as the correction
    page does."""
    client.force_login(people.registered_manager)
    page = client.get(reverse("adoption:deployment_detail", args=[deployment.pk])).text
    table = page[page.index('id="observations"') :]
    cells = re.findall(r"Step </span><span>(.*?)</span></td>", table, re.S)
    assert 'Check clinical records follow the change <span class="app-code">B2</span>' in cells
    assert 'Check staff can carry out the new procedure <span class="app-code">B3</span>' in cells
    assert 'Check the new way of working on each shift <span class="app-code">B1</span>' in cells


def test_one_of_a_unit_reads_in_the_singular():
    """Found: "latest 2, above the 1 concerns the check allows"."""
    rule = {"measure": "resident_impact_concerns", "op": ">", "value": 1}
    assert compared_with_words(rule, "resident_impact_concerns", unit="concerns") == (
        ", above the 1 concern the check allows"
    )
    rule["value"] = 2
    assert compared_with_words(rule, "resident_impact_concerns", unit="concerns") == (
        ", above the 2 concerns the check allows"
    )
