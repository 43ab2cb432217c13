"""The quality director on a phone with the keyboard only: sign in (setting up the authenticator app),
log a serious failure at Elm House, typing when it was confirmed, see the matched services, issue the
learning notices.

Oakwood's services and incidents are the quality director's browser journey's (test_quality_director_
journey); here no mouse, tap or filled-in selector is used after the login page is opened.
"""

import re
from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learning_transfer.models import LearningNotice, LearningTrigger
from tests.browser.conftest import PASSWORD, code_from_app
from tests.browser.keyboard import (
    PHONE,
    activate,
    assert_no_sideways_scroll,
    open_menu_link,
    press,
    sign_in,
    tab_to,
    type_date_time,
    type_into,
)
from tests.browser.test_quality_director_journey import media, oakwood  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def confirmed():
    """The failure was confirmed a week and a day ago, an hour earlier in the day than now: the date and
    the time typed both differ from the ones the form fills in (now), and however the working days
    fall, its first steps are overdue already, so the form warns before logging it. Oakwood's data
    counts back from it."""
    return timezone.localtime() - timedelta(days=8, hours=1)


def test_the_quality_director_logs_a_failure_and_issues_notices_with_the_keyboard(
    browser,
    live_server,
    oakwood,  # noqa: F811
    confirmed,
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB")
    page = context.new_page()
    sign_in(page, "quality", PASSWORD, partial(code_from_app, "quality"))
    assert_no_sideways_scroll(page)

    # The header folds at phone width: Learning transfer is behind "More".
    open_menu_link(page, "Learning transfer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning-transfer register")
    assert_no_sideways_scroll(page)
    activate(page, "Log a serious failure")

    # The form, field by field: choices by typing their first letters, the box ticked with Space.
    # (Its own heading: the register's is still visible until the form has loaded.)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a serious failure")
    assert_no_sideways_scroll(page)
    tab_to(page, "Service where it happened")
    page.keyboard.type("Elm")
    type_into(page, "Title", "Unwitnessed fall at night")
    tab_to(page, "Theme")
    page.keyboard.type("Fall")
    tab_to(page, "Falls")
    press(page, "Space")
    expect(page.get_by_role("checkbox", name="Falls")).to_be_checked()
    type_into(page, "What happened", "A resident fell at 02:10 and was found at 03:40.")
    # "When the serious failure was confirmed" is filled in with now: type when it was, yesterday,
    # part by part in the order the field shows them.
    type_date_time(page, "When the serious failure was confirmed", confirmed)
    type_into(page, re.compile(r"^Learning statement"), "Night checks follow each falls-risk plan.")
    activate(page, "Log the failure and find comparable services")

    # Its first steps are overdue already: the form says so, keeps what was typed, and logs it only
    # once "log it anyway" is ticked.
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("overdue")
    expect(page.get_by_label("Title")).to_have_value("Unwitnessed fall at night")
    assert not LearningTrigger.objects.exists()
    tab_to(page, "Log it anyway: I understand these steps start overdue")
    press(page, "Space")
    activate(page, "Log the failure and find comparable services")

    # The trigger keeps the date and time typed, not the ones the form filled in.
    typed = confirmed.replace(second=0, microsecond=0)
    row = page.locator(".nhsuk-summary-list__row").filter(has=page.get_by_text("Confirmed", exact=True))
    expect(row).to_contain_text(f"{typed:%a %-d %b %Y, %H:%M}")
    trigger = LearningTrigger.objects.get(title="Unwitnessed fall at night")
    assert timezone.localtime(trigger.confirmed_at) == typed

    # The matched services, their rates against the median.
    table = page.get_by_test_id("matched-services")
    expect(table).to_contain_text("Beech Lodge")
    expect(table).to_contain_text("Ash Grove")
    expect(table).not_to_contain_text("Ember Court")
    expect(page.get_by_test_id("provider-median")).to_be_visible()
    assert_no_sideways_scroll(page)

    # Issue the notices.
    activate(page, "Issue learning notices")
    expect(page.get_by_test_id("pct-received")).to_contain_text("0 of 3 matched services")
    assert LearningNotice.objects.filter(matched_service__trigger=trigger).count() == 3
    assert_no_sideways_scroll(page)
