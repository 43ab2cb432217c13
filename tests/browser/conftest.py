"""Browser tests drive Debian's Chromium through Playwright against Django's live server."""

import os

import pytest

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
