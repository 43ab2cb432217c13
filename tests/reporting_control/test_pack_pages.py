"""The printed evidence pack reads as a commissioner reads paper: page by page.

Found by a tester reading the demo's PDFs: a "Checks before issue" row began at the foot of page 2 and
its role, due date and state went on over the page; page 1 was half empty because the next section
always started a new page; and the ICB's pack, whose only line about its home was deferred, still read
like evidence ("Lines lacking named-service adoption evidence 0") without saying so up front.
"""

import io

import pytest
from pypdf import PdfReader

from reporting_control import services
from reporting_control.choices import LineKind, LineState
from reporting_control.packs import html_to_pdf, render_pack_html
from tests.factories import CommissionerFactory

pytestmark = pytest.mark.django_db


def pages_of(update, commissioner=None) -> list[str]:
    """The text of each page of the built PDF, with line wrapping undone."""
    pdf = html_to_pdf(render_pack_html(update, commissioner))
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def cedar_deferred(evidenced_update, compliance_manager, cedar_court):
    """Birch Lodge's line is evidenced; the only line about Cedar Court waits for proof."""
    line = services.add_line(
        evidenced_update,
        by=compliance_manager,
        claim="Cedar Court changed its night checks.",
        kind=LineKind.NAMED_SERVICE,
        services=[cedar_court],
    )
    services.decide_line(
        line, by=compliance_manager, state=LineState.DEFERRED, reason="Cedar Court's review comes next time."
    )
    return evidenced_update


def test_a_pack_with_nothing_evidenced_for_the_commissioner_says_so_on_page_one(cedar_deferred, cedar_court):
    icb = CommissionerFactory(name="Northshire Integrated Care Board")
    icb.services.add(cedar_court)

    pages = pages_of(cedar_deferred, icb)

    assert (
        "Nothing in this update is evidenced for your services yet: its 1 line about Cedar Court is "
        "deferred — waiting for proof." in pages[0]
    )
    # The figures count the same line the same way: withheld, and nothing evidenced.
    text = " ".join(pages)
    assert "Lines evidenced 0" in text
    assert "Lines left out of this update by a decision (held back, or waiting for proof) 1" in text


def test_a_pack_with_evidence_for_the_commissioner_counts_it_on_page_one(cedar_deferred, birch_lodge):
    council = CommissionerFactory(name="Northshire County Council")
    council.services.add(birch_lodge)

    pages = pages_of(cedar_deferred, council)

    assert "Nothing in this update is evidenced" not in " ".join(pages)
    assert "The 1 line about your services is evidenced." in pages[0]
    assert "Lines evidenced 1" in " ".join(pages)


def test_a_pack_with_no_line_about_the_commissioners_services_says_so_on_page_one(
    evidenced_update, cedar_court
):
    """The update covers Cedar Court, but its only line is about Birch Lodge."""
    icb = CommissionerFactory(name="Northshire Integrated Care Board")
    icb.services.add(cedar_court)

    first = pages_of(evidenced_update, icb)[0]

    assert (
        "Nothing in this update is evidenced for your services yet: "
        "no line of it is about your services alone." in first
    )


def test_the_providers_pack_counts_evidenced_and_withheld_lines_on_page_one(cedar_deferred):
    pages = pages_of(cedar_deferred)

    assert "1 of the 2 lines of the update is evidenced (1 deferred — waiting for proof)." in pages[0]


def test_page_one_goes_on_to_the_figures_rather_than_stopping_after_the_cover(evidenced_update, birch_lodge):
    council = CommissionerFactory(name="Northshire County Council")
    council.services.add(birch_lodge)

    first, second = pages_of(evidenced_update, council)[:2]

    # Page 1 goes on from the cover into the learning, and the figures follow on straight after it.
    assert "The learning reported on" in first and "What the provider learned" in first
    assert "Lines claiming provider-wide adoption" in first + second


def test_no_table_row_is_split_across_pages_and_each_page_repeats_the_header(
    evidenced_update, compliance_manager, provider_director
):
    count = 14
    words = "The figures for the night rounds were read twice and did not agree with the care records. " * 3
    for number in range(1, count + 1):
        placed = f"Hold {number:02d} begins. {words}"
        services.place_hold(evidenced_update, by=compliance_manager, reason=placed)
        lifted = f"Lift {number:02d} begins. {words}Lift {number:02d} ends."
        services.lift_hold(evidenced_update, by=provider_director, reason=lifted)

    pages = pages_of(evidenced_update)

    holding = set()
    for number in range(1, count + 1):
        on = [i for i, page in enumerate(pages) if f"Hold {number:02d} begins" in page]
        assert len(on) == 1
        holding.add(on[0])
        page = pages[on[0]]
        assert f"Lift {number:02d} ends." in page, f"hold {number}'s row runs over the page"
        assert "Placed Reason Lifted Why lifted" in page, f"hold {number}'s page repeats the table's header"
    assert len(holding) > 1, "the holds table runs over a page"
