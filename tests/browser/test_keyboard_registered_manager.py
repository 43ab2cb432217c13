"""Elm House's registered manager on a phone with the keyboard only: acknowledge the new learning notice
from the dashboard, open the adoption checks from the folded header menu, record B5 (theirs to record),
first leaving a measure empty so the error summary takes focus and its link leads to the field.

The people, the deployment and the Thursday-morning clock are the registered manager's browser
journey's (test_registered_manager_journey).
"""

import re

import pytest
from playwright.sync_api import expect

from adoption import chain as adoption_chain
from escalation.models import StepRecord
from learning_transfer.models import LearningNotice
from tests.browser.conftest import PASSWORD
from tests.browser.keyboard import (
    PHONE,
    activate,
    assert_focus_visible,
    assert_no_sideways_scroll,
    focused,
    open_menu_link,
    press,
    sign_in,
    skip_to_main,
    type_into,
)
from tests.browser.test_registered_manager_journey import (  # noqa: F401
    clock,
    deployed,
    media,
    oakwood,
    shown,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WITHIN_TARGET = "What % of tasks done the new way were finished within the target time?"
FAILURES = "Over the last 3 monitored shifts, how many repeated failures to follow the new way were there?"
IMPACT = "How many times were residents affected because staff had not taken up the new way?"


def test_the_registered_manager_acknowledges_and_records_a_check_with_the_keyboard(
    browser,
    live_server,
    oakwood,  # noqa: F811
    deployed,  # noqa: F811
):
    b5 = adoption_chain.run_for(deployed["deployment"]).step_runs.get(code="B5")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB")
    page = context.new_page()
    sign_in(page, "elm.manager", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Registered Manager")
    assert_no_sideways_scroll(page)

    # Acknowledge the new notice from the dashboard.
    activate(page, "Acknowledge receipt for Elm House")
    expect(page.get_by_text("Receipt of the learning for Elm House acknowledged.")).to_be_visible()
    assert LearningNotice.objects.get(pk=deployed["falls_notice"].pk).acknowledged_by == oakwood["manager"]

    # Adoption, from the header's folded menu; then B5, which the registered manager records.
    open_menu_link(page, "Adoption")
    expect(page.get_by_role("heading", level=1)).to_have_text("Adoption checks at your services")
    assert_no_sideways_scroll(page)
    activate(page, shown(b5))
    expect(page.get_by_role("heading", level=1)).to_have_text(shown(b5))
    assert_no_sideways_scroll(page)

    # Skip the header, then fill two of the three measures and save.
    skip_to_main(page)
    type_into(page, FAILURES, "4")
    type_into(page, IMPACT, "1")
    type_into(page, re.compile(r"^Check done"), "Reviewed the last 3 shifts against the baseline.")
    activate(page, "Save the check")

    # The error summary takes focus; its link moves focus to the empty field.
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    assert_focus_visible(page)
    assert not StepRecord.objects.filter(step_run=b5).exists()
    press(page, "Tab")
    # The error names the question asked, not the guidance's words beneath it.
    expect(focused(page)).to_have_accessible_name(f"Enter an answer to “{WITHIN_TARGET}”.")
    page.keyboard.press("Enter")
    expect(page.get_by_label(WITHIN_TARGET)).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type("88")
    activate(page, "Save the check")

    saved = "Confirm the change has lasted (B5) recorded: threshold breached, escalation raised."
    expect(page.get_by_text(saved)).to_be_visible()
    record = StepRecord.objects.get(step_run=b5, is_current=True)
    assert record.values["pct_tasks_within_target"] == 88 and record.recorded_by == oakwood["manager"]
    assert_no_sideways_scroll(page)
