"""A small structural accessibility check any page test can call: `assert_accessible(response.text)`.

It checks what a screen-reader or keyboard user trips on first: the page language, a skip link to the
main content, a title naming the page, exactly one h1, a label for every visible field, and header
cells in every table.
"""

from html.parser import HTMLParser

FIELD_TAGS = {"input", "select", "textarea"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _PageStructure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.skip_link = False
        self.h1_count = 0
        self.label_targets: set[str] = set()
        self.fields: list[dict] = []
        self.tables = 0
        self.table_headers = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif (
            tag == "a"
            and "nhsuk-skip-link" in (attrs.get("class") or "")
            and attrs.get("href") == "#maincontent"
        ):
            self.skip_link = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        elif tag in FIELD_TAGS and attrs.get("type") not in UNLABELLED_INPUT_TYPES:
            self.fields.append(attrs)
        elif tag == "table":
            self.tables += 1
        elif tag == "th":
            self.table_headers += 1
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def assert_accessible(html: str) -> None:
    page = _PageStructure()
    page.feed(html)
    assert page.lang == "en-GB", "the page must declare its language"
    assert page.skip_link, "the page needs a skip link to #maincontent"
    page_name = page.title.split(" – ")[0].strip()
    assert page_name and page_name != page.title.strip(), f"the title must name the page: {page.title!r}"
    assert page.h1_count == 1, f"a page has exactly one h1, this one has {page.h1_count}"
    unlabelled = [
        f.get("name") or f.get("id")
        for f in page.fields
        if f.get("id") not in page.label_targets and not f.get("aria-label")
    ]
    assert not unlabelled, f"fields without a label: {unlabelled}"
    assert page.table_headers >= page.tables, "every table needs header cells"
