"""The nominated individual on a phone with the keyboard only: sign in (setting up the authenticator
app), open the executive summary from the dashboard, open its filter, keep only medication errors,
reach the table of triggers and open the one left to review it.

Oakwood's services are the quality director's browser journey's (test_quality_director_journey); two
failures are logged and their learning issued through the business actions.
"""

from datetime import timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from learning_transfer import services as learning
from learning_transfer.choices import IncidentTheme
from providers.choices import RiskTag
from providers.models import User
from tests.browser.conftest import PASSWORD, code_from_app
from tests.browser.keyboard import (
    PHONE,
    activate,
    assert_no_sideways_scroll,
    sign_in,
    tab_to,
)
from tests.browser.test_quality_director_journey import confirmed, media, oakwood  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def triggers(oakwood, confirmed):  # noqa: F811
    """A fall at Elm House and a medication error at Ember Court, learning issued for both."""
    quality = User.objects.get(username="quality")
    logged = {}
    for title, service, theme, tag in [
        ("Unwitnessed fall at night", "Elm House", IncidentTheme.FALL, RiskTag.FALLS),
        ("Missed insulin dose", "Ember Court", IncidentTheme.MEDICATION, RiskTag.MEDICATION),
    ]:
        trigger = learning.log_trigger(
            by=quality,
            source_service=oakwood[service],
            title=title,
            theme=theme,
            risk_tags=[tag],
            what_happened=f"{title} at {service}.",
            confirmed_at=confirmed,
            now=confirmed + timedelta(minutes=10),
            learning_statement=f"Every home checks its process after: {title.lower()}.",
        )
        learning.issue_notices(trigger, by=quality, now=confirmed + timedelta(minutes=20))
        logged[theme] = trigger
    return logged


def test_the_nominated_individual_filters_the_summary_with_the_keyboard(browser, live_server, triggers):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB")
    page = context.new_page()
    sign_in(page, "ni", PASSWORD, partial(code_from_app, "ni"))
    assert_no_sideways_scroll(page)

    activate(page, "Open the executive learning summary")
    expect(page.get_by_role("heading", level=1)).to_have_text("Executive learning summary")
    table = page.get_by_test_id("summary-triggers")
    expect(table).to_contain_text("Unwitnessed fall at night")
    assert_no_sideways_scroll(page)

    # The filter is folded away: open it with Enter, keep medication errors, apply.
    tab_to(page, "Filter by region, theme and period")
    page.keyboard.press("Enter")
    expect(page.locator("details.nhsuk-details")).to_have_attribute("open", "")
    tab_to(page, "Theme (optional)")
    page.keyboard.type("Medication")
    activate(page, "Apply filters")
    expect(table).to_contain_text("Missed insulin dose")
    expect(table).not_to_contain_text("Unwitnessed fall at night")
    assert_no_sideways_scroll(page)

    # Reach the table and open the trigger left in it.
    medication = triggers[IncidentTheme.MEDICATION]
    tab_to(page, medication.reference)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Missed insulin dose")
    assert_no_sideways_scroll(page)
