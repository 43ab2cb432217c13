"""The load test's client counts what a person's browser asks for: a form posted and the page it is
redirected to are one request, timed and named as the journey names it, ending on the final page."""

from types import SimpleNamespace

from .browser import MAX_REDIRECTS, BrowserSession, ServerCookies

BASE = "http://testserver"


class Answer:
    """What the session answers one hop with (the part of locust's FastResponse the client reads)."""

    def __init__(self, status_code: int, location: str = "", content: bytes = b""):
        self.status_code = status_code
        self.headers = {"location": location} if location else {}
        self.content = content


class StandInSession:
    """Answers each address as `answers` say, reporting every hop to its request event as locust's
    FastHttpSession does (a 4xx or 5xx with an exception); keeps what was sent in `sent`."""

    def __init__(self, answers: dict):
        self.base_url = BASE
        self.answers = answers
        self.sent = []
        self.request_event = None
        self.client = SimpleNamespace(cookiejar=None)  # the user agent, whose cookies the client sets

    def request(self, method, url, data=None, headers=None):
        self.sent.append((method, url, data, headers))
        answer = self.answers[url]
        failure = Exception(f"code={answer.status_code}") if answer.status_code >= 400 else None
        self.request_event.fire(
            request_type=method,
            name=url,
            response_time=1.0,
            response_length=len(answer.content),
            response=answer,
            context={},
            exception=failure,
            start_time=0.0,
            url=url,
        )
        return answer


class CountedRequests:
    """Stands in for locust's request event: keeps what is counted."""

    def __init__(self):
        self.counted = []

    def fire(self, **report):
        self.counted.append(report)


def _client(answers):
    session, counted = StandInSession(answers), CountedRequests()
    return BrowserSession(session, counted), session, counted.counted


def test_a_form_posted_and_its_redirect_are_one_request_ending_on_the_page_redirected_to():
    client, session, counted = _client(
        {
            f"{BASE}/login/": Answer(302, "/account/two-step-login/check/?next=%2F"),
            f"{BASE}/account/two-step-login/check/?next=%2F": Answer(200, content=b"<h1>Code</h1>"),
        }
    )
    response = client.post("/login/", data=[("username", "ni"), ("password", "a b&c")], name="sign in")

    assert (response.status_code, response.url) == (200, f"{BASE}/account/two-step-login/check/?next=%2F")
    assert response.text == "<h1>Code</h1>"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert session.sent == [
        ("POST", f"{BASE}/login/", "username=ni&password=a+b%26c", form),
        ("GET", f"{BASE}/account/two-step-login/check/?next=%2F", None, None),  # as a browser: a GET
    ]
    [request] = counted
    assert (request["name"], request["request_type"], request["exception"]) == ("sign in", "POST", None)
    assert request["response_length"] == len(b"<h1>Code</h1>")


def test_a_server_error_is_counted_as_a_failed_request():
    client, _, counted = _client({f"{BASE}/": Answer(302, "/dashboard/"), f"{BASE}/dashboard/": Answer(500)})
    response = client.get("/", name="dashboard")

    assert (response.status_code, response.url) == (500, f"{BASE}/dashboard/")
    [request] = counted
    assert request["name"] == "dashboard" and request["exception"] is not None


def test_a_server_that_keeps_redirecting_is_a_failed_request():
    client, session, counted = _client({f"{BASE}/loop/": Answer(302, "/loop/")})
    client.get("/loop/", name="loop")

    assert len(session.sent) == MAX_REDIRECTS + 1
    [request] = counted
    assert "redirected more than" in str(request["exception"])


class SetCookies:
    """An answer's headers setting these cookies (the part of geventhttpclient's Headers read)."""

    def __init__(self, *set_cookie: str):
        self.set_cookie = list(set_cookie)

    def getlist(self, name: str) -> list[str]:
        return self.set_cookie if name == "set-cookie" else []


def _sent_cookie(cookies: ServerCookies):
    request = SimpleNamespace(headers={})
    cookies.add_cookie_header(request)
    return request.headers.get("Cookie")


def test_cookies_are_sent_back_as_set_replaced_and_deleted_as_the_server_says():
    cookies = ServerCookies()
    assert _sent_cookie(cookies) is None
    answer = SimpleNamespace(
        headers=SetCookies(
            "csrftoken=abc; expires=Sat, 04 Dec 2027 06:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax",
            'messages="a:1b\\054c"; HttpOnly; Path=/; SameSite=Lax',
        )
    )
    cookies.extract_cookies(answer, None)
    assert _sent_cookie(cookies) == 'csrftoken=abc; messages="a:1b\\054c"'

    answer = SimpleNamespace(
        headers=SetCookies(
            "sessionid=s1; HttpOnly; Path=/",
            "csrftoken=def; Path=/",
            'messages=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax',
        )
    )
    cookies.extract_cookies(answer, None)
    assert _sent_cookie(cookies) == "csrftoken=def; sessionid=s1"
