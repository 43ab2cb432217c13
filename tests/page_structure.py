"""Read a rendered page the way a browser builds it, for tests about where things sit and what they say."""

from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _MainText(HTMLParser):
    """Collects the text inside <main>. An end tag closes every element opened after its own start tag
    (as a browser does), so a stray </div> that closes main's container also closes main."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.main_depth: int | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        self.open.append(tag)
        if tag == "main":
            self.main_depth = len(self.open)

    def handle_endtag(self, tag):
        if tag not in self.open:
            return
        while self.open and self.open.pop() != tag:
            pass
        if self.main_depth and len(self.open) < self.main_depth:
            self.main_depth = None

    def handle_data(self, data):
        if self.main_depth:
            self.text.append(data)


def text_inside_main(html: str) -> str:
    """The page's text that a browser would place inside its <main> element, spaces collapsed."""
    parser = _MainText()
    parser.feed(html)
    return " ".join(" ".join(parser.text).split())
