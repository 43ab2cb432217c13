"""Once the learning is issued, the trigger's A1 card says so instead of "must be issued today".

Tester's walk (quality director), finding 6: LT-0002's page, three days after its notices went out,
still read "Mandatory learning needed — issue it to the matched services today"."""

import pytest
from django.urls import reverse

from learning_transfer import chain
from learning_transfer.services import issue_notices

from .conftest import add_incidents

pytestmark = pytest.mark.django_db


def a1_card(client, trigger) -> str:
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
    return page.split('id="a1"', 1)[1].split("</dl>", 1)[0]


def test_the_decision_reads_as_done_once_the_learning_is_issued(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    before = a1_card(client, trigger)
    assert "Learning issued" not in before and "Learning notices were issued" not in before
    client.post(reverse("learning_transfer:trigger_record_a1", args=[trigger.pk]))
    issue_notices(trigger, by=quality_director)
    after = a1_card(client, trigger)
    assert "Learning issued" in after and "Learning notices were issued" in after
    assert "must be issued today" not in after and "issue it to the matched services today" not in after
    assert "4 matched services" in after, "the grounds of the decision stay on the page"
    assert "nhsuk-card--warning" not in after.split(">", 1)[0]


def test_the_case_timeline_and_the_step_page_say_the_learning_was_issued(
    client, sign_in, falls_provider, log_falls_trigger, managers, quality_director
):
    """The case's timeline and A1's own page read the same as the card: the breach's "issue it
    today" is done, so they say when it was issued instead."""
    add_incidents(falls_provider["ash"], 3, prefix="more")  # Ash Grove 10 / 700 h: above the median
    trigger = log_falls_trigger()
    sign_in(quality_director)
    client.post(reverse("learning_transfer:trigger_record_a1", args=[trigger.pk]))
    a1 = chain.step_run(trigger, "A1")
    assert a1.state == "breached", "the falls trigger's A1 finds mandatory learning is needed"
    issue_notices(trigger, by=quality_director)
    a1.refresh_from_db()
    for url in (reverse("escalation:chain_run", args=[a1.chain_run_id]), a1.get_absolute_url()):
        page = client.get(url).text
        assert "issue it to the matched services today" not in page, url
        assert "Mandatory learning needed — the learning was issued to the matched services on " in page, url
