"""The nominated individual on a phone with the keyboard only: sign in (setting up the authenticator
app), open the executive summary from the dashboard, open its filter, keep only medication errors,
reach the table of triggers and open the one left to review it. Then the held update about the fall:
the page says the Provider Director records the issue-control record (C5), so the Provider Director,
also on a phone with the keyboard only, signs it off; the nominated individual lifts the hold and
releases the update. Each confirmation is a banner a screen reader announces (role="status").

Oakwood's services are the quality director's browser journey's (test_quality_director_journey); two
failures are logged and their learning issued, and the update planned and held, through the business
actions.
"""

import re
from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learning_transfer import services as learning
from learning_transfer.choices import IncidentTheme
from providers.choices import RiskTag, Role
from providers.models import User
from reporting_control import services as reporting
from reporting_control.choices import Audience, LineKind, UpdateStatus
from reporting_control.models import ReportingUpdate
from tests.browser.conftest import PASSWORD, code_from_app
from tests.browser.keyboard import (
    PHONE,
    activate,
    assert_no_sideways_scroll,
    open_menu_link,
    sign_in,
    tab_to,
    type_into,
)
from tests.browser.test_quality_director_journey import confirmed, media, oakwood  # noqa: F401
from tests.factories import check_and_sign_off, person_with_role

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


UPDATE = "Night-time falls: assurance to the CQC"


@pytest.fixture
def held_update(oakwood, triggers):  # noqa: F811
    """An update to the regulator about the fall, its one line (Beech Lodge's open falls risk, a matched
    service of the fall) evidenced, checked (C1, C3, C4), and held by the compliance manager until the
    figures are checked."""
    provider = oakwood["Elm House"].provider
    compliance = person_with_role(Role.COMPLIANCE_MANAGER, provider=provider, username="compliance")
    person_with_role(Role.PROVIDER_DIRECTOR, provider=provider, username="director")
    beech = oakwood["Beech Lodge"]
    update = reporting.plan_update(
        by=compliance,
        provider=provider,
        title=UPDATE,
        audience=Audience.REGULATOR,
        issue_at=timezone.now() + timedelta(days=14),
        triggers=[triggers[IncidentTheme.FALL]],
        services=[beech],
    )
    reporting.add_line(
        update,
        by=compliance,
        kind=LineKind.OPEN_RISK,
        claim="Beech Lodge's night-time falls risk stays open while its night checks change.",
        services=[beech],
    )
    check_and_sign_off(update, None)  # the checks the sign-off is judged against, not the sign-off
    reporting.place_hold(update, by=compliance, reason="The quarter's figures are not yet checked.")
    return update


def phone(browser, live_server):
    return browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB").new_page()


def announced(page, text: str, timeout: float = 5_000) -> None:
    """The confirmation banner says `text`, in a live region a screen reader reads out."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible(timeout=timeout)


def open_the_update(page) -> None:
    """From any page: Reporting behind the header's "More", then the update in the list."""
    open_menu_link(page, "Reporting")
    expect(page.get_by_role("heading", level=1)).to_have_text("Regulatory and commissioner updates")
    activate(page, re.compile(re.escape(UPDATE)))
    expect(page.get_by_role("heading", level=1)).to_have_text(UPDATE)
    assert_no_sideways_scroll(page)


def test_the_nominated_individual_filters_the_summary_with_the_keyboard(
    browser, live_server, triggers, held_update
):
    page = phone(browser, live_server)
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
    tab_to(page, "Theme")
    page.keyboard.type("Medication")
    activate(page, "Apply filters")
    expect(table).to_contain_text("Missed insulin dose")
    expect(table).not_to_contain_text("Unwitnessed fall at night")
    assert_no_sideways_scroll(page)

    # Reach the table and open the trigger left in it.
    medication = triggers[IncidentTheme.MEDICATION]
    # The link names the failure, not its code alone.
    tab_to(page, f"{medication.reference} {medication.title}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Missed insulin dose")
    assert_no_sideways_scroll(page)

    # The held update: it cannot be released yet, and C5 is the Provider Director's to record.
    open_the_update(page)
    problems = page.get_by_test_id("release-problems")
    expect(problems).to_contain_text("An issue hold is active")
    expect(problems).to_contain_text("sign-off for issue (C5) is not recorded yet")
    # Not offered to the nominated individual, who is told whose it is instead.
    expect(page.get_by_role("link", name="Sign off the update for issue")).to_have_count(0)
    expect(page.get_by_test_id("who-signs-off")).to_contain_text("Provider Director")

    # The Provider Director signs the update off (C5): the figures are computed, the check is typed.
    director = phone(browser, live_server)
    sign_in(director, "director", PASSWORD, partial(code_from_app, "director"))
    open_the_update(director)
    activate(director, "Sign off the update for issue")
    expect(director.get_by_role("heading", level=1)).to_contain_text("C5")
    assert_no_sideways_scroll(director)
    type_into(director, re.compile(r"^Check done"), "Every line checked against C4, C3 and C1.")
    activate(director, "Save the check")
    announced(director, "Sign off the update for issue (C5) recorded: within threshold.")
    expect(director.get_by_role("heading", name="Result")).to_be_in_viewport()  # the page opens there
    assert_no_sideways_scroll(director)

    # The nominated individual lifts the hold, with a reason, and releases the update.
    open_the_update(page)
    expect(page.get_by_test_id("release-problems")).not_to_contain_text("C5")
    activate(page, "Lift the hold")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lift the issue hold")
    assert_no_sideways_scroll(page)
    type_into(page, re.compile(r"^Reason"), "The quarter's figures are checked.")
    activate(page, "Lift hold")
    announced(page, "Issue hold lifted.")
    expect(page.get_by_role("status").filter(has_text="Issue hold lifted.")).to_be_in_viewport()
    assert_no_sideways_scroll(page)
    activate(page, "Release the update")
    announced(page, "Tick the box to confirm the release: a release cannot be undone. Nothing was released.")
    activate(page, "I confirm this update is ready to release", key="Space")
    activate(page, "Release the update")
    # The suite builds the release's evidence pack within the request (no worker): allow for it.
    announced(page, "Released. The evidence pack for issue will be built shortly.", timeout=60_000)
    expect(page.get_by_test_id("update-status")).to_contain_text("Released")
    assert_no_sideways_scroll(page)
    update = ReportingUpdate.objects.get(pk=held_update.pk)
    assert update.status == UpdateStatus.RELEASED and update.released_by.username == "ni"
