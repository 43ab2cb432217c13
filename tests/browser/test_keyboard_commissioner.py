"""Lancashire County Council's commissioner on a phone with the keyboard only: sign in (setting up the
authenticator app), land on the released evidence packs and download the pack.

The updates and packs are the commissioner's browser journey's (test_commissioner_journey).
"""

import hashlib
from functools import partial
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, code_from_app
from tests.browser.keyboard import PHONE, assert_no_sideways_scroll, sign_in, skip_to_main, tab_to
from tests.browser.test_commissioner_journey import (  # noqa: F401
    RELEASED,
    clock,
    media,
    oakwood,
    trigger,
    updates,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_commissioner_downloads_a_pack_with_the_keyboard(
    browser,
    live_server,
    updates,  # noqa: F811
):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="en-GB", accept_downloads=True
    )
    page = context.new_page()
    sign_in(page, "lancashire", PASSWORD, partial(code_from_app, "lancashire"))
    expect(page).to_have_url(f"{live_server.url}/reporting/packs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence packs")
    assert_no_sideways_scroll(page)

    skip_to_main(page)
    tab_to(page, f"Download PDF for {RELEASED}")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.failure() is None
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == updates["pack"].sha256
