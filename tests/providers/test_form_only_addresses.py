"""Some addresses only take a form's button (acknowledge, resolve, release, issue the learning). Found: a
form that came back with an error stays at such an address, and opening it again (a phone reloading
a tab left in the background, the address bar) showed the browser's bare "HTTP ERROR 405", with no
header and no way back. Opened directly, every such address now answers with the site's own page,
still refusing (405), that says what happened and links to the page its button is on."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


def _form_only_patterns():
    """(route, view class) of every address that takes POST only."""

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), getattr(pattern.callback, "view_class", None)

    for route, view in walk(get_resolver()):
        if view is not None and "get" not in view.http_method_names or (view and not hasattr(view, "get")):
            yield route, view


def _address(route: str) -> str:
    """The route with 1 for each number it takes."""
    for name in ("pk", "line_pk", "pack_pk"):
        route = route.replace(f"<int:{name}>", "1")
    return "/" + route


def test_every_form_only_address_opened_directly_says_so_on_the_sites_page(client, sign_in, provider):
    sign_in(person_with_role(Role.QUALITY_DIRECTOR, provider=provider))
    routes = list(_form_only_patterns())
    assert len(routes) >= 15  # acknowledge, release, issue, close, retry, …
    for route, _view in routes:
        response = client.get(_address(route))
        assert response.status_code == 405, route  # still refused: nothing is done by opening it
        assert "POST" in response["Allow"]
        page = response.content.decode()
        assert "nhsuk-header" in page, route
        assert "only sends a form" in page, route
        assert 'data-testid="form-page"' in page, route


def test_it_links_to_the_page_the_button_is_on(client, sign_in, provider):
    sign_in(person_with_role(Role.QUALITY_DIRECTOR, provider=provider))
    for address, page in [
        ("/escalations/7/action/", "/escalations/7/"),
        ("/learning/triggers/7/notices/issue/", "/learning/triggers/7/"),
        ("/learning/notices/7/acknowledge/", "/learning/notices/"),
        ("/reporting/7/release/", "/reporting/7/"),
        ("/adoption/deployments/7/close/", "/adoption/deployments/7/"),
    ]:
        assert f'href="{page}"' in client.get(address).content.decode(), address
