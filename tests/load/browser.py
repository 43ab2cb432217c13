"""The load test's client: locust's FastHttpSession (geventhttpclient, a fraction of the CPU that the
`requests`-based HttpSession takes) behind the part of the `requests` interface the journeys use.

The load generator shares the machine's cores with the server it measures, so what it spends on each
request is taken from the server. This client sends forms form-encoded, keeps the session's cookies
(the session and CSRF ones), and follows redirects as a browser does (a POST answered with a 301, 302
or 303 is followed with a GET). As the `requests`-based session did, it reports ONE sample to locust
for each `get` or `post`, under the name the journey gives, timed over all its hops: a redirect is
part of the request that caused it, not a request of its own, so requests a second mean what they did.
A connection error or a 4xx or 5xx answer is reported as a failure.
"""

import time
from urllib.parse import urlencode, urljoin

from .client import Response

REDIRECTS = frozenset({301, 302, 303, 307, 308})
# 307 and 308 repeat the request as it was; the others are followed with a GET, as browsers do.
REDIRECTS_TO_GET = frozenset({301, 302, 303})
MAX_REDIRECTS = 10
FORM_ENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


class TooManyRedirects(Exception):
    """The server kept redirecting: reported as the request's failure."""


class _LastHop:
    """Takes the place of locust's request event on the session: keeps the report of the hop just sent
    instead of counting it, so that the whole request can be counted once."""

    def __init__(self):
        self.report = {}

    def fire(self, **report):
        """Called by the session once a hop is answered, with what it would have counted."""
        self.report = report


class ServerCookies:
    """The cookies one server has set, as a browser sends them back to it: each by name, replaced when
    set again, dropped when the server expires it (Max-Age=0, as Django deletes a cookie).

    It stands in for the standard library's CookieJar in geventhttpclient's user agent (the same two
    calls), which weighs every cookie against every request's domain, path and policy: about a fifth
    of a request's CPU here. The load run talks to one server, whose cookies are all for `/`.
    """

    def __init__(self):
        self.values = {}

    def add_cookie_header(self, request):
        """Called before a request is sent: puts the cookies on it."""
        if self.values:
            request.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.values.items())

    def extract_cookies(self, response, request):
        """Called when an answer arrives: keeps the cookies it sets."""
        for header in response.headers.getlist("set-cookie"):
            cookie, *attributes = header.split(";")
            name, _, value = cookie.partition("=")
            if any(attribute.strip().lower() == "max-age=0" for attribute in attributes):
                self.values.pop(name.strip(), None)
            else:
                self.values[name.strip()] = value.strip()


class BrowserSession:
    """Requests a server as one person in a browser, over `session`, a FastHttpSession that follows no
    redirects itself (max_redirects 0); each request is counted once on `request_event`."""

    def __init__(self, session, request_event):
        self.session = session
        self.request_event = request_event
        self.last_hop = _LastHop()
        session.request_event = self.last_hop
        session.client.cookiejar = ServerCookies()  # the session's user agent keeps these instead

    def get(self, path: str, name: str = "") -> Response:
        """GET `path` (on the server, or a full address) and whatever it redirects to."""
        return self._send("GET", path, None, name)

    def post(self, path: str, data=None, name: str = "") -> Response:
        """POST the (name, value) pairs `data` as a form, and follow the redirect that answers it."""
        return self._send("POST", path, urlencode(data or []), name)

    def _send(self, method: str, path: str, body, name: str) -> Response:
        """Send the request and follow its redirects; count it once, as `name`, from first to last hop."""
        url = first_url = path if path.startswith("http") else self.session.base_url + path
        started, started_counter = time.time(), time.perf_counter()
        first_method, failure = method, None
        for _ in range(MAX_REDIRECTS + 1):
            answer = self.session.request(
                method, url, data=body, headers=FORM_ENCODED if body is not None else None
            )
            hop = self.last_hop.report
            location = answer.headers.get("location") if answer.headers is not None else None
            if hop["exception"] or answer.status_code not in REDIRECTS or not location:
                failure = hop["exception"]
                break
            url = urljoin(url, location)
            if answer.status_code in REDIRECTS_TO_GET:
                method, body = "GET", None
        else:
            failure = TooManyRedirects(f"{first_url} redirected more than {MAX_REDIRECTS} times")
        self.request_event.fire(
            request_type=first_method,
            name=name or path,
            response_time=(time.perf_counter() - started_counter) * 1000,
            response_length=hop["response_length"],
            response=answer,
            context=hop["context"],
            exception=failure,
            start_time=started,
            url=first_url,
        )
        # A failed request's body may be cut short; no journey reads it (they stop at the status).
        content = b"" if failure else answer.content or b""
        return Response(answer.status_code, url, content)
