"""Reading our pages as a browser does: the links on a page, and a form's fields as they would be sent.

Standard library only, so the quick check in the suite needs nothing the test dependencies lack.
"""

import re
from functools import lru_cache
from html.parser import HTMLParser

LOGOUT_ACTION = "/logout/"
# Where a form opens and closes (`<form` followed by a space, `/` or `>`: not `<formset`).
_FORM_START = re.compile(r"<form(?=[\s/>])", re.IGNORECASE)
_FORM_END = re.compile(r"</form\s*>", re.IGNORECASE)


class JourneyError(AssertionError):
    """A page was not what the person expected: signed out, refused, or missing what they came for."""


class _FormReader(HTMLParser):
    """Collects every form: its action, method and the (name, value) pairs a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None  # (name, first option, chosen option)
        self._textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": [],
                "choices": {},
            }
            self.forms.append(self._form)
        elif self._form is None or "name" not in attrs:
            if tag == "option" and self._select is not None:
                self._option(attrs)
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self._form["choices"].setdefault(attrs["name"], []).append(attrs.get("value") or "on")
                if "checked" not in attrs:
                    return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = [attrs["name"], None, None]

    def _option(self, attrs):
        # As a browser: the option marked selected, else the first one.
        value = attrs.get("value") or ""
        if self._form is not None and value:
            self._form["choices"].setdefault(self._select[0], []).append(value)
        if self._select[1] is None:
            self._select[1] = value
        if "selected" in attrs:
            self._select[2] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, first, chosen = self._select
            if self._form is not None:
                self._form["fields"].append((name, chosen if chosen is not None else first or ""))
            self._select = None


def _form_slices(html: str) -> str:
    """The page cut down to its forms, each from `<form` to its `</form>`, in page order.

    The reader takes nothing from outside a form (a field there is skipped, and our templates tie no
    field to a form with a `form=` attribute), so parsing the slices finds exactly the forms of the
    whole page; the rest of the page was most of the load generator's parsing.
    """
    slices = []
    position = 0
    while start := _FORM_START.search(html, position):
        end = _FORM_END.search(html, start.end())
        if end is None:  # a form left open runs to the end of the page, as it does for the reader
            slices.append(html[start.start() :])
            break
        slices.append(html[start.start() : end.end()])
        position = end.end()
    return "".join(slices)


# A journey reads the same page several times (its fields, then the choices of a few of them); the few
# pages being read at once by the simulated people are kept, parsed. Callers copy what they change.
@lru_cache(maxsize=64)
def _forms(html: str) -> list[dict]:
    """Every form on the page, as _FormReader collects them."""
    reader = _FormReader()
    reader.feed(_form_slices(html))
    return reader.forms


def page_forms(html: str, method: str = "post") -> list[dict]:
    """The page's forms of that method other than the header's log-out button, in page order."""
    return [f for f in _forms(html) if f["method"] == method and f["action"] != LOGOUT_ACTION]


def find_form(html: str, action: str = "", method: str = "post") -> dict:
    """The page's form sent to `action` ("": the page's own address, its main form)."""
    for form in page_forms(html, method):
        if form["action"] == action:
            return form
    raise JourneyError(f"No form sent to {action or 'the page itself'} on the page.")


def form_fields(html: str, action: str = "") -> list[tuple[str, str]]:
    """The fields of that form, CSRF token included, as the browser would send them if the person changed
    nothing."""
    return list(find_form(html, action)["fields"])


def choices(html: str, name: str, action: str = "", method: str = "post") -> list[str]:
    """The values a person can pick for a select, radio or checkbox field of that form (blank left out)."""
    return list(find_form(html, action, method)["choices"].get(name, []))


def with_values(fields: list[tuple[str, str]], **values) -> list[tuple[str, str]]:
    """The fields with some values set, as a person would type them (one value per named field)."""
    kept = [(name, value) for name, value in fields if name not in values]
    return kept + [(name, value) for name, value in values.items()]


def links(html: str, pattern: str) -> list[str]:
    """Every distinct link on the page whose address matches `pattern` (a regular expression), in order."""
    found = re.findall(r'href="(' + pattern + ')"', html)
    return list(dict.fromkeys(found))
