"""Chain C's step pages, as a tester read them: a deadline in brackets holds no brackets of its own, and
a figure held to the records is shown read-only."""

from reporting_control import chain


def test_a_deadline_in_brackets_holds_no_brackets_of_its_own(
    evidenced_update, client, sign_in, provider_director
):
    c3 = chain.step_run(evidenced_update, "C3")
    assert c3.due_text == "within the same 5-day preparation window (by its close)"
    assert c3.due_words == "within the same 5-day preparation window, by its close"
    sign_in(provider_director)
    assert (
        "(within the same 5-day preparation window, by its close)" in client.get(c3.get_absolute_url()).text
    )


def test_a_figure_held_to_the_records_is_shown_read_only(
    update_with_a_line, client, sign_in, provider_director
):
    """Found: the sign-off (C5) offered boxes to type over its line counts, then refused any change:
    "it cannot be typed over". They are shown read-only."""
    update = update_with_a_line()
    sign_off = chain.step_run(update, chain.SIGN_OFF_STEP)
    sign_in(provider_director)
    page = client.get(sign_off.get_absolute_url()).text
    for name in ("lines_challenge_cleared", "residual_defects", "deferred_sections"):
        field = page.split(f'name="{name}"', 1)[1].split(">", 1)[0]
        assert "readonly" in field, name
