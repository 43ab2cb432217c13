"""A small HTTP client with the part of the `requests` interface the journeys use, on the standard library.

It keeps cookies and follows redirects like a browser (a POST answered with a redirect is followed with
a GET), so the suite can walk the journeys against its live server without the load-test dependencies.
"""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cached_property


@dataclass
class Response:
    status_code: int
    url: str
    content: bytes

    @cached_property  # a journey reads a page's text several times
    def text(self) -> str:
        """The page, decoded (our pages are UTF-8)."""
        return self.content.decode("utf-8", errors="replace")


class LoopbackClient:
    """Requests one server (`base_url`) as one person; every request is kept in `requests` as
    (name, method, status) for the caller to check."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.requests: list[tuple[str, str, int]] = []

    def get(self, path: str, name: str = "", **_):
        return self._send("GET", path, None, name)

    def post(self, path: str, data=None, name: str = "", **_):
        return self._send("POST", path, urllib.parse.urlencode(data or []).encode(), name)

    def _send(self, method: str, path: str, body, name: str) -> Response:
        url = path if path.startswith("http") else self.base_url + path
        request = urllib.request.Request(url, data=body, method=method)
        try:
            with self.opener.open(request, timeout=30) as answer:
                response = Response(answer.status, answer.url, answer.read())
        except urllib.error.HTTPError as error:
            response = Response(error.code, error.url, error.read())
        self.requests.append((name or path, method, response.status_code))
        return response
