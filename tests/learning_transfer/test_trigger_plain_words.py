"""The trigger pages speak plain words first, with step codes only as a secondary label."""

import pytest

from .conftest import add_incidents

pytestmark = pytest.mark.django_db


def test_recording_a1_says_what_was_decided_in_plain_words(
    client, sign_in, log_falls_trigger, falls_provider, quality_director, operations_director
):
    add_incidents(falls_provider["ash"], 1, prefix="extra")  # mandatory learning
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = client.post(f"/learning/triggers/{trigger.pk}/a1/", follow=True).text
    assert (
        "Comparable services found (A1) recorded: mandatory learning needed, "
        "escalated to the Operations Director." in page
    )
    assert "Step A1 recorded" not in page


def test_the_log_form_and_the_case_link_say_learning_transfer_first(
    client, sign_in, log_falls_trigger, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    form = client.get("/learning/triggers/new/").text
    assert "Logging starts the learning-transfer case (chain A)" in form
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "Open the learning-transfer case (chain A)" in page


def test_the_timeline_says_whose_a_step_is_to_record_until_it_is_recorded(
    client, sign_in, log_falls_trigger, quality_director
):
    """A step nobody has recorded yet reads as work to do, never as done ("recorded by …"): the
    person's own to record, or, here where only the Quality Director is named, the role nobody holds."""
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "· yours to record" in page
    assert "· Nobody at Oakwood Care Group holds the Governance Officer role yet: ask your provider" in page
    assert "· recorded by" not in page


def test_the_alignment_section_names_the_check_before_its_code(
    client, sign_in, log_falls_trigger, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert 'Implementation alignment by region <span class="app-code">A4</span>' in page
    assert "A4 is recorded" not in page and "(A4)</h2>" not in page
