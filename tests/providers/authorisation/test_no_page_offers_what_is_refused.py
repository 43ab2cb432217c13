"""No page offers an action its viewer cannot take.

Every persona opens every page they may open (the authorisation table). Every form a page shows is
sent back as the page filled it (hidden fields, preselected options), and every link to a form page
(a URL the table lets someone POST to) or styled as a button is followed. None may be refused (403,
404, 405, or sent to sign in): what a person cannot do is hidden, or replaced by words naming who
can. Every request is rolled back, so one action never changes what the next one finds.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.db import transaction
from django.urls import Resolver404, resolve, reverse

from providers.choices import Role

from .test_authorisation_matrix import _requests, entry_for, no_one, url_patterns
from .world import NOW, PERSONA_ROLES, PERSONAS

pytestmark = pytest.mark.django_db

# Signing out and the second step of signing in are offered to everyone and need no role.
NOT_ACTIONS = ("/logout/", "/account/")


class Offers(HTMLParser):
    """The POST forms (action and the values the page filled in) and button links of a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[tuple[str, bool]] = []  # (href, styled as a button)
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "data": {}}
            self.forms.append(self._form)
        elif tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], "nhsuk-button" in (attrs.get("class") or "")))
        elif self._form is not None and attrs.get("name"):
            self._field(tag, attrs)
        elif tag == "option" and self._select is not None and "selected" in attrs:
            self._form["data"][self._select] = attrs.get("value", "")

    def _field(self, tag, attrs):
        name, data = attrs["name"], self._form["data"]
        if tag == "select":
            self._select = name
        elif tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                data[name] = attrs.get("value", "on")
        elif tag == "input" and attrs.get("type") not in ("submit", "file"):
            data.setdefault(name, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def opens_a_form(url: str) -> bool:
    """Whether the link opens a page of this app whose form someone may send (an action page)."""
    path = urlsplit(url).path
    if not path.startswith("/") or path.startswith(NOT_ACTIONS):
        return False
    try:
        match = resolve(path)
    except Resolver404:
        return False
    entry = entry_for(match.view_name)
    return isinstance(entry, dict) and entry["POST"] is not no_one


def refused(response) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    return response.status_code in (301, 302) and "/login" in response["Location"]


def _rolled_back(send, *args):
    with transaction.atomic():
        response = send(*args)
        transaction.set_rollback(True)
    return response


def offers_refused(client, url: str) -> list[str]:
    """What the page at `url` offers its viewer that the viewer's request is then refused."""
    page = _rolled_back(client.get, url)
    if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
        return []
    offers = Offers()
    offers.feed(page.content.decode())
    wrong = []
    for form in offers.forms:
        target = urljoin(url, form["action"])
        if target.startswith(NOT_ACTIONS):
            continue
        response = _rolled_back(client.post, target, form["data"])
        assert response.status_code < 500, f"POST {target} from {url}: {response.status_code}"
        if refused(response):
            wrong.append(f"{url} offers a form to {target}: {response.status_code}")
    for link, is_button in offers.links:
        target = urljoin(url, link)
        if not (is_button or opens_a_form(target)):
            continue
        if refused(_rolled_back(client.get, target)):
            wrong.append(f"{url} offers a button to {target}")
    return wrong


def pages_of(persona: str, pages) -> list[str]:
    """The pages the persona may open (the table's), with the dashboard of each role they hold."""
    urls = [
        url for name, key, url, entry in pages if not name.startswith("admin:") and entry["GET"](persona, key)
    ]
    dashboards = [reverse("dashboard", args=[role]) for role, _ in PERSONA_ROLES.get(persona, [])]
    return list(dict.fromkeys(urls + [d for d in dashboards if Role.COMMISSIONER not in d]))


def test_no_page_offers_a_form_or_button_its_viewer_is_then_refused(world, clients, django_db_blocker):
    pages = list(_requests(world, url_patterns()))
    wrong, seen = [], 0
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        for persona in PERSONAS:
            if persona == "anonymous":
                continue
            for url in pages_of(persona, pages):
                seen += 1
                wrong += [f"{persona}: {problem}" for problem in offers_refused(clients[persona], url)]
    assert seen > 200, "every persona's pages were opened"
    assert wrong == [], f"{len(wrong)} offers refused:\n" + "\n".join(wrong)
