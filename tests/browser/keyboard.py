"""Driving a page with the keyboard only, as a person who cannot use a mouse or touch screen would.

`tab_to(page, "Log out")` presses Tab until the element named "Log out" has focus, checking at every
stop that the focus can be seen (NHS.UK's yellow focus style), and fails clearly after a bound on the
presses. The journeys built on it read as a person moving through the pages.
"""

import re

from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}
MOST_PRESSES = 60  # the longest form of the journeys has fewer tab stops than this

# What the focused element looks like. A checkbox or radio input is invisible: NHS.UK draws its focus
# on the box before its label, so that is what is read. The focus must be drawn with a non-zero
# outline or a box shadow, and in NHS.UK's focus yellow (#ffeb3b) somewhere.
FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {problem: "nothing has focus"};
  const box = e.matches(".nhsuk-checkboxes__input, .nhsuk-radios__input") && e.labels.length;
  const drawn = box ? e.labels[0] : e;
  const style = getComputedStyle(drawn, box ? "::before" : null);
  const yellow = "rgb(255, 235, 59)";
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && style.outlineColor !== "rgba(0, 0, 0, 0)";
  const shadow = style.boxShadow !== "none";
  const isYellow = [style.outlineColor, style.boxShadow, style.backgroundColor].some(v => v.includes(yellow));
  const rect = drawn.getBoundingClientRect();
  const what = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : "")
    + " " + JSON.stringify((e.innerText || e.value || "").trim().slice(0, 60));
  let problem = null;
  if (!(outline || shadow) || !isYellow) {
    problem = `no visible focus (outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}, `
      + `box-shadow ${style.boxShadow}, background ${style.backgroundColor})`;
  } else if (rect.width === 0 || rect.height === 0) {
    problem = "focus is on something not drawn";
  }
  return {what, problem};
}"""


def focused(page: Page):
    return page.locator("*:focus")


def assert_focus_visible(page: Page) -> str:
    """The focused element shows NHS.UK's focus style; returns what it is, for messages."""
    seen = page.evaluate(FOCUS)
    assert seen["problem"] is None, f"{seen.get('what', 'nothing')}: {seen['problem']}"
    return seen["what"]


def press(page: Page, key: str) -> None:
    """Press a key and check the focus it lands on can be seen."""
    page.keyboard.press(key)
    assert_focus_visible(page)


def has_name(page: Page, name: str | re.Pattern) -> bool:
    try:
        expect(focused(page)).to_have_accessible_name(name, timeout=50)
    except AssertionError:
        return False
    return True


def tab_to(page: Page, name: str | re.Pattern, *, backwards: bool = False, most: int = MOST_PRESSES) -> None:
    """Press Tab (Shift+Tab backwards) until the element with this accessible name has focus."""
    key = "Shift+Tab" if backwards else "Tab"
    passed = []
    for _ in range(most):
        page.keyboard.press(key)
        if page.evaluate("document.activeElement === document.body"):
            passed.append("(past the end of the page)")  # the next press starts again at the top
            continue
        passed.append(assert_focus_visible(page))
        if has_name(page, name):
            return
    stops = "\n  ".join(passed[-12:])
    raise AssertionError(f"{name!r} not reached in {most} presses of {key} on {page.url}; last:\n  {stops}")


def type_into(page: Page, name: str | re.Pattern, text: str) -> None:
    """Tab to a field and type into it, as a person does."""
    tab_to(page, name)
    page.keyboard.type(text)


def date_time_layout(page: Page, field) -> tuple[list[str], bool]:
    """The order a date-time field shows its date parts in, and whether its clock is 12-hour.

    Chromium lays the field out by its own interface language (Debian's package carries US English
    only), not by the page's or the browser context's locale, so a person reads the order off the
    field. The test reads it off a blank copy of the field (same bounds) in a scratch page: day 1 and
    month 2 typed into the first two parts tell which is which, and a value still empty after the
    minutes means an AM/PM part follows. The field's latest year must have four digits, so the year
    part moves on by itself after four, as the day and month do after two.
    """
    bounds = field.evaluate("e => [e.min, e.max]")
    scratch = page.context.new_page()
    try:
        scratch.set_content('<input type="datetime-local" aria-label="Probe">')
        probe = scratch.get_by_label("Probe")
        probe.evaluate("(e, [min, max]) => { e.min = min; e.max = max; }", bounds)
        scratch.keyboard.press("Tab")
        scratch.keyboard.type("010220030405")
        twelve_hour = probe.input_value() == ""
        if twelve_hour:
            scratch.keyboard.type("A")
        value = probe.input_value()
    finally:
        scratch.close()
    orders = {"2003-02-01T04:05": ["day", "month", "year"], "2003-01-02T04:05": ["month", "day", "year"]}
    assert value in orders, f"a date-time field this helper cannot type into (it read {value!r})"
    return orders[value], twelve_hour


def type_date_time(page: Page, name: str, when) -> None:
    """Tab to a date-time field and type `when` (a wall-clock datetime) into it, part by part in the
    order the field shows them; each part moves on to the next by itself once full."""
    order, twelve_hour = date_time_layout(page, page.get_by_label(name, exact=True))
    tab_to(page, name)
    digits = {"day": f"{when:%d}", "month": f"{when:%m}", "year": f"{when:%Y}"}
    page.keyboard.type("".join(digits[part] for part in order))
    if twelve_hour:
        page.keyboard.type(f"{when:%I%M}{'A' if when.hour < 12 else 'P'}")
    else:
        page.keyboard.type(f"{when:%H%M}")
    assert_focus_visible(page)


def activate(page: Page, name: str | re.Pattern, key: str = "Enter") -> None:
    """Tab to a link or button and press Enter (or Space)."""
    tab_to(page, name)
    page.keyboard.press(key)


def assert_no_sideways_scroll(page: Page) -> None:
    """The page fits its window once it is laid out as a person sees it."""
    # A page's heading shows before its script runs, and until the header's script has folded the
    # links that do not fit behind "More" the menu is one wide row: wait for the header to start.
    expect(page.locator("header[data-nhsuk-header-init]")).to_be_attached()
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{page.url} is {scroll_width} px wide in a {inner_width} px window"


def skip_to_main(page: Page) -> None:
    """The skip link is the first tab stop of a freshly loaded page, and Enter moves focus to main."""
    # The page's script (error summary focus, the skip link's clean-up) has started, as it has long
    # before a person reaches the link.
    expect(page.locator("body.nhsuk-frontend-supported")).to_be_attached()
    press(page, "Tab")
    expect(focused(page)).to_have_accessible_name("Skip to main content")
    expect(focused(page)).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def open_menu_link(page: Page, name: str) -> None:
    """At phone width the header folds the links that do not fit behind "More": open it with the
    keyboard and follow one of them."""
    menu = page.get_by_role("navigation", name="Menu")
    more = menu.get_by_role("button", name="Browse More")
    expect(more).to_be_visible()
    expect(more).to_have_attribute("aria-expanded", "false")
    link = menu.get_by_role("link", name=name, exact=True)
    expect(link).to_be_hidden()
    tab_to(page, "Browse More")
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(link).to_be_visible()
    assert_no_sideways_scroll(page)
    activate(page, name)


def sign_in(page: Page, username: str, password: str, code=None) -> None:
    """Sign in from the login page with the keyboard: username, password, Enter; then the security
    code step for provider-level people, `code()` giving what their authenticator app shows."""
    page.goto("/login/")
    skip_to_main(page)
    type_into(page, "Username", username)
    type_into(page, "Password", password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/set-up/" in page.url:
        type_into(page, "Code from your authenticator app", code(confirmed=False))
        page.keyboard.press("Enter")
        expect(page.get_by_role("link", name="I have saved my recovery codes")).to_be_visible()
        activate(page, "I have saved my recovery codes")
    elif "/two-step-login/" in page.url:
        type_into(page, "Security code", code())
        page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/two-step-login/" not in url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
