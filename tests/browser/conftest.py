"""Browser tests drive Debian's Chromium through Playwright against Django's live server."""

import os

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
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


@pytest.fixture(autouse=True)
def _contexts_closed(browser):
    """Close the browser contexts a test opened when it ends. An open context keeps its connections to
    the live server alive, each holding a request thread; on SQLite those threads share the test
    database's connection only while the live server runs, so one still open when it stops fails."""
    yield
    for context in list(browser.contexts):
        context.close()


PASSWORD = "correct-horse-battery"


def log_in(browser, live_server, username, password=PASSWORD, **context_options):
    """A fresh browser context (with `context_options`) signed in as `username`, through the second step
    when the person's role needs it (every journey's people share PASSWORD)."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, **context_options)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/two-step-login/" in page.url:
        pass_second_step(page, username)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def code_from_app(username, *, confirmed=True):
    """The code the person's authenticator app shows now, computed from the device's secret."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=confirmed)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def pass_second_step(page, username):
    """The security code step of a provider-level person, setting up their app first if they have none."""
    if "/set-up/" in page.url:
        page.get_by_label("Code from your authenticator app").fill(code_from_app(username, confirmed=False))
        page.get_by_role("button", name="Check the code and continue").click()
        page.get_by_role("link", name="I have saved my recovery codes").click()
    else:
        page.get_by_label("Security code").fill(code_from_app(username))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/two-step-login/" not in url)
