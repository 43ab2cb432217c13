"""A pack built before release says on every page that it is a draft, not released and not for sharing,
and its status reads as the update's page does.

Found by a tester: a pack the compliance manager built before release looked like a released one (only
small grey text said "before release"), and its status read "Draft — add its reporting lines" while the
update had a line and its page read "Draft — 1 line lacks evidence"."""

import io

import pytest
from pypdf import PdfReader

from reporting_control import services
from reporting_control.packs import html_to_pdf, render_pack_html

pytestmark = pytest.mark.django_db

DRAFT_MARK = "Draft: not released, not for sharing"


def pages_of(update) -> list[str]:
    pdf = html_to_pdf(render_pack_html(update))
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_every_page_of_a_pack_before_release_is_marked_draft(
    client, sign_in, update_with_a_line, compliance_manager
):
    update = update_with_a_line()  # one line, lacking evidence
    pages = pages_of(update)

    assert len(pages) > 1
    assert all(DRAFT_MARK in page for page in pages)
    sign_in(compliance_manager)
    page = client.get(update.get_absolute_url()).text
    assert "Draft — 1 line lacks evidence" in page
    assert "status: Draft — 1 line lacks evidence" in pages[0]


def test_a_released_pack_is_not_marked_draft(evidenced_update, provider_director):
    services.release_update(evidenced_update, by=provider_director)
    assert not any(DRAFT_MARK in page for page in pages_of(evidenced_update))
