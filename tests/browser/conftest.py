"""Browser tests drive Debian's Chromium through Playwright against Django's live server."""

import os

import pytest
from playwright.sync_api import expect

# Playwright runs an event loop in the test thread; the ORM calls the tests make there are safe
# because each test owns its live-server database.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


PASSWORD = "correct-horse-battery"


def log_in(browser, live_server, username):
    """A fresh browser context signed in as `username` (every journey's people share PASSWORD)."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page
