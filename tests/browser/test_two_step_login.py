"""A quality director sets up an authenticator app and logs in with its codes, in a real browser."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from providers.choices import Role
from tests.browser.conftest import PASSWORD, code_from_app
from tests.factories import person_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def password_step(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_quality_director_sets_up_an_app_then_logs_in_with_a_code(browser, live_server):
    person_with_role(Role.QUALITY_DIRECTOR, username="quality")
    page = browser.new_context(base_url=live_server.url).new_page()

    password_step(page, "quality")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(code_from_app("quality", confirmed=False))
    page.get_by_role("button", name="Check the code and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Quality Director"))

    page.get_by_role("button", name="Log out").click()
    # The next code from the app: the one just used cannot be used twice.
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=True) as clock:
        password_step(page, "quality")
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
        page.get_by_label("Security code").fill("000000")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("alert")).to_contain_text("The code is not right")
        clock.shift(timedelta(seconds=2))  # after a wrong code the app waits a second before checking again
        page.get_by_label("Security code").fill(code_from_app("quality"))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Quality Director"))
