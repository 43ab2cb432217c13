"""Every incident rate on chain A's pages says what it counts: incidents per 100 care hours."""

import re

import pytest

from learning_transfer.services import adjust_match

pytestmark = pytest.mark.django_db


def summary_value(page: str, key: str) -> str:
    """The text of the summary list's value beside `key`."""
    found = re.search(rf"{re.escape(key)}</dt><dd[^>]*>(.*?)</dd>", page, re.S)
    assert found, key
    return found.group(1)


def test_a_matched_services_page_gives_the_rate_with_its_unit(
    client, sign_in, log_falls_trigger, quality_director
):
    trigger = log_falls_trigger()
    ash = trigger.matches.get(service__name="Ash Grove")  # 7 incidents in 700 care hours
    sign_in(quality_director)
    page = client.get(f"/learning/matches/{ash.pk}/").text
    assert summary_value(page, "Incident rate before the learning").startswith(
        "1.000 per 100 care hours (7 incidents, 700.0 care hours)"
    )


def test_a_service_without_care_hours_says_so_without_a_unit(
    client, sign_in, log_falls_trigger, quality_director
):
    dove = log_falls_trigger().matches.get(service__name="Dove Cottage")  # no care hours recorded
    sign_in(quality_director)
    page = client.get(f"/learning/matches/{dove.pk}/").text
    assert summary_value(page, "Incident rate before the learning").startswith(
        "No care hours recorded (2 incidents"
    )


def test_the_trigger_page_gives_the_median_and_left_out_rates_with_their_unit(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    trigger = log_falls_trigger()
    adjust_match(trigger, falls_provider["beech"], False, "Closed for refurbishment", quality_director)
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "3 matched services; provider median 1.000 per 100 care hours" in page
    left_out = page[page.index("<h3>Services left out</h3>") :].split("</table>")[0]
    assert "Rate per 100 care hours</th>" in left_out
    assert '<span class="nhsuk-table-responsive__heading">Rate per 100 care hours </span>0.500' in left_out
