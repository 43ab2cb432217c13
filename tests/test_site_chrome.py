"""What every page shares: the icon a browser asks for, the font, the NHS.UK header whose menu folds
away on a phone, and the confirmation banner after an action."""

import re

import pytest
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from providers.choices import ROLE_SCOPE, Role, Scope
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


def test_the_browser_finds_an_icon_at_favicon_ico(client):
    """Browsers ask for /favicon.ico on every page; it leads to a committed static icon, not a 404."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url == static("favicon.ico")
    assert finders.find("favicon.ico") and finders.find("favicon.svg")


def test_pages_use_the_nhs_font_stack_without_frutiger():
    """The compiled NHS.UK styles name no font, so the project's stylesheet sets Arial, with Liberation
    Sans (Debian's metric-compatible Arial) before the generic fallback: never a browser-default serif."""
    with open(finders.find("css/app.css")) as stylesheet:
        css = stylesheet.read()
    assert (
        'body, button, input, select, textarea { font-family: Arial, "Liberation Sans", sans-serif; }' in css
    )


def test_the_header_has_the_menu_that_collects_links_which_do_not_fit(client, sign_in, quality_director):
    sign_in(quality_director)
    page = client.get(reverse("organisation")).text
    assert 'data-module="nhsuk-header"' in page
    assert '<li class="nhsuk-header__menu" hidden>' in page
    assert 'class="nhsuk-header__menu-toggle nhsuk-header__navigation-link"' in page
    assert 'rel="icon"' in page


def test_a_confirmation_is_a_status_banner(rf, quality_director):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = quality_director
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, "Owner and due date set for Elm House.")
    html = render_to_string("404.html", request=request)
    assert 'class="nhsuk-notification-banner nhsuk-notification-banner--success' in html
    assert 'role="status"' in html and "Owner and due date set for Elm House." in html
    assert "{#" not in html and "{%" not in html  # no template comment leaks onto the page


@pytest.mark.parametrize("role", list(Role))
def test_every_link_in_the_menu_opens_for_the_person_it_is_shown_to(
    client, sign_in, provider, north, elm_house, role
):
    """The menu offered "Reporting" to every member of staff; a registered manager, a regional deputy or
    a senior carer who followed it was refused. Each person's menu holds only what they may open."""
    place = {Scope.PROVIDER: {"provider": provider}, Scope.REGION: {"region": north}}.get(
        ROLE_SCOPE[role], {"service": elm_house}
    )
    sign_in(person_with_role(role, **place))
    page = client.get(reverse("home"), follow=True).text
    menu = page.split('aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="([^"]+)"', menu)
    assert links
    for url in links:
        assert client.get(url, follow=True).status_code == 200, f"{role}: {url}"
