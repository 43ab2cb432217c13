"""Found: C1 said "5 lines" lacking service evidence and C4 "1 statement" resting on notices alone, never
which lines; and C5's page did not show what C1, C3 or C4 recorded, so the Provider Director signed off
from the case's page. Each counting step names the lines behind its figures, and the sign-off shows what
the checks it is judged against recorded."""

import re
from html import unescape

from reporting_control import chain, services
from reporting_control.choices import LineKind
from tests.factories import check_and_sign_off


def page_words(client, step_run) -> str:
    """The page's words, a space between every element's (a summary list's key and value apart)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", client.get(step_run.get_absolute_url()).text)).split())


def test_c1_and_c4_name_the_lines_they_count(
    client, sign_in, update_with_a_line, compliance_manager, cedar_court
):
    update = update_with_a_line()  # line 1: Birch Lodge, not verified: lacking
    services.add_line(
        update,
        by=compliance_manager,
        claim="Cedar Court's night round is timed.",
        kind=LineKind.NAMED_SERVICE,
        services=[cedar_court],
    )
    sign_in(compliance_manager)
    c1 = page_words(client, chain.step_run(update, chain.PREPARATION_STEP))
    behind = c1.split("The update's lines behind these figures now", 1)[1].split("Record", 1)[0]
    lacking = chain.step_run(update, chain.PREPARATION_STEP).measures[1]["label"]
    assert f"{lacking} Line 1, Line 2" in behind, behind


def test_the_sign_off_shows_what_c1_c3_and_c4_recorded(
    client, sign_in, update_with_a_line, provider_director
):
    update = update_with_a_line()
    check_and_sign_off(update, provider_director, codes=chain.SIGNED_OFF_AGAINST)
    sign_in(provider_director)
    c5 = page_words(client, chain.step_run(update, chain.SIGN_OFF_STEP))
    assert "What the checks it signs off against recorded" in c5
    for code in chain.SIGNED_OFF_AGAINST:
        label = chain.step_run(update, code).label
        recorded = c5.split("What the checks it signs off against recorded", 1)[1]
        assert f"{label} Recorded by " in recorded, label
    # Tester 18 (L1): whether each breached is said, as its own page says it.
    assert recorded.count(": within threshold") == len(chain.SIGNED_OFF_AGAINST)
    # C4 was recorded here before the figures' check (C2) it is judged against: said so too.
    assert (
        "within threshold, recorded before Check the figures behind each claim (C2) was recorded" in recorded
    )


def test_c1_shows_what_it_recorded_for_the_previous_three_updates(
    client, sign_in, update_with_a_line, compliance_manager
):
    """Tester 14 (M4): C1's check compares "against … the previous three-update baseline", which its page
    did not show. It shows what C1 recorded for the provider's three updates planned before this one."""
    first = update_with_a_line(title="First falls update")
    check_and_sign_off(first, None, codes=[chain.PREPARATION_STEP])
    for title in ("Second falls update", "Third falls update", "Fourth falls update"):
        update_with_a_line(title=title)
    latest = update_with_a_line(title="Fifth falls update")
    sign_in(compliance_manager)
    c1 = page_words(client, chain.step_run(latest, chain.PREPARATION_STEP))
    baseline = c1.split("The previous three updates (the baseline C1 compares with)", 1)[1].split(
        "Record", 1
    )[0]
    for title in ("Second falls update", "Third falls update", "Fourth falls update"):
        assert f"{title} C1 not recorded" in baseline, baseline
    assert "First falls update" not in baseline  # four updates back: not in the baseline
    lacking = chain.step_run(latest, chain.PREPARATION_STEP).measures[1]["label"]

    # The second update's C1 page shows what C1 recorded for the first.
    second = first.provider.reporting_updates.get(title="Second falls update")
    c1 = page_words(client, chain.step_run(second, chain.PREPARATION_STEP))
    baseline = c1.split("The previous three updates (the baseline C1 compares with)", 1)[1].split(
        "Record", 1
    )[0]
    assert f"{first.reference} First falls update" in baseline and f"{lacking}: 1 line" in baseline, baseline
