"""What the four personas do, over HTTP, as their browser would: the load test's users and its quick check.

Every journey is a function of `client`, anything with the `requests` interface whose `get` and `post`
also take `name` (the label the load report groups requests under): locust's HttpSession, or
tests.load.client.LoopbackClient in the suite. Forms are sent as the page filled them, CSRF token
included, with only what the person would change. A page that is not what the person came for raises
JourneyError (locust counts it as an error).

Signing in is the real two-step login: password, then, for provider-level people, the second-step code.
The load run (scripts/loadtest) runs as production does, so each sign-in uses one of the person's
recovery codes, read from the file LOAD_SECOND_STEP_CODES names (`manage.py load_test_codes` writes
it); the suite's quick check runs the demo, whose published code works only with DEBUG on.
"""

import os
import random
import re
from dataclasses import dataclass, field

from .pages import JourneyError, choices, form_fields, links, with_values

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-pass-2026")
SECOND_STEP_CODE = os.environ.get("LOAD_SECOND_STEP_CODE", "demo2026")
LOGIN, SECOND_STEP = "/login/", "/account/two-step-login/check/"
_unused_codes: dict[str, list[str]] = {}  # username -> recovery codes not used yet, once read


def second_step_code(username: str) -> str:
    """The code for the person's second step: their next unused recovery code from the file
    LOAD_SECOND_STEP_CODES names ("username code" lines), or the demo's code when none is named."""
    path = os.environ.get("LOAD_SECOND_STEP_CODES")
    if not path:
        return SECOND_STEP_CODE
    if not _unused_codes:
        with open(path) as lines:
            for line in lines:
                name, code = line.split()
                _unused_codes.setdefault(name, []).append(code)
    if not _unused_codes.get(username):
        raise JourneyError(f"No recovery code left for {username} in {path}.")
    return _unused_codes[username].pop()


def _page(response, expected: str = ""):
    """The response's page, refused unless the person is still signed in and it holds `expected`."""
    if response.status_code != 200:
        raise JourneyError(f"{response.url} answered {response.status_code}.")
    if LOGIN in response.url or SECOND_STEP in response.url:
        raise JourneyError(f"Sent to sign in again instead of {response.url}.")
    if expected and expected not in response.text:
        raise JourneyError(f"{response.url} does not show {expected!r}.")
    return response.text


def sign_in(client, username: str) -> None:
    """Password first; provider-level people are then asked for their second-step code."""
    response = client.get(LOGIN, name="sign in")
    fields = with_values(form_fields(response.text), username=username, password=PASSWORD)
    response = client.post(LOGIN, data=fields, name="sign in")
    if SECOND_STEP in response.url:
        fields = with_values(form_fields(response.text), code=second_step_code(username))
        response = client.post(response.url, data=fields, name="sign in: second step")
    if response.status_code != 200 or LOGIN in response.url or SECOND_STEP in response.url:
        raise JourneyError(f"{username} could not sign in (ended on {response.url}).")


def _open_one(client, html: str, pattern: str, name: str, expected: str = ""):
    """Follow one of the page's links matching `pattern`, chosen at random; None when it has none."""
    found = links(html, pattern)
    if not found:
        return None
    path = random.choice(found)
    return path, _page(client.get(path, name=name), expected)


# --- quality director: the register, a trigger, the review list; logs a serious failure ----------------


def qd_dashboard(client) -> None:
    _page(client.get("/", name="dashboard"), "Quality Director")


def qd_register_and_trigger(client) -> None:
    html = _page(client.get("/learning/", name="learning-transfer register"))
    _open_one(client, html, r"/learning/triggers/\d+/", "trigger (matched services, rates)")


def qd_review_list(client) -> None:
    _page(client.get("/learning/review/", name="incidents awaiting review"))


def qd_log_trigger(client) -> None:
    """From an incident awaiting review, log it as a serious failure with the form as it comes filled."""
    html = _page(client.get("/learning/review/", name="incidents awaiting review"))
    found = links(html, r"/learning/triggers/new/\?incident=\d+")
    path = random.choice(found) if found else "/learning/triggers/new/"
    form = _page(client.get(path, name="log a trigger: form"))
    fields = form_fields(form)
    values = {"learning_statement": "Check night-time falls risk assessments at every matched home."}
    if not found:  # no incident to start from: the person fills what the incident would have
        values |= {
            "title": "Fall with harm (load test)",
            "what_happened": "A resident fell at night.",
            "source_service": choices(form, "source_service")[0],
            "theme": choices(form, "theme")[0],
        }
    if not any(name == "risk_tags" for name, _ in fields):  # some themes suggest no risk tag: pick one
        values["risk_tags"] = random.choice(choices(form, "risk_tags"))
    response = client.post(path, data=with_values(fields, **values), name="log a trigger")
    _page(response)
    if not re.search(r"/learning/triggers/\d+/", response.url):
        raise JourneyError(f"The trigger was not logged (ended on {response.url}).")


# --- registered manager: their service's learning; records an observation, acknowledges a notice ---------


def rm_dashboard(client) -> None:
    _page(client.get("/", name="dashboard"), "Registered Manager")


def rm_record_observation(client) -> None:
    """Open a live deployment at the service and record a team or shift's figure for one of its checks."""
    html = _page(client.get("/adoption/", name="my service (adoption)"))
    opened = _open_one(client, html, r"/adoption/deployments/\d+/", "deployment (groups beside average)")
    if opened is None:
        return
    path, page = opened
    fields = form_fields(page)
    values = {"measure": random.choice(choices(page, "measure")), "value": str(random.randint(60, 100))}
    for group in ("team", "shift_name", "location"):
        options = choices(page, group)
        if options:
            values[group] = random.choice(options)
            break
    response = client.post(path, data=with_values(fields, **values), name="record an observation")
    _page(response, "Observation recorded")


def rm_acknowledge_notice(client) -> None:
    """Acknowledge a learning notice waiting at the service, if one is (each is acknowledged once)."""
    html = _page(client.get("/learning/notices/", name="learning notices"))
    waiting = re.findall(r'action="(/learning/notices/\d+/acknowledge/)"', html)
    if not waiting:
        return
    action = random.choice(waiting)
    response = client.post(action, data=form_fields(html, action), name="acknowledge a notice")
    _page(response)


# --- nominated individual: the executive summary and their escalations --------------------------------


def ni_dashboard(client) -> None:
    _page(client.get("/", name="dashboard"), "Nominated Individual")


def ni_summary(client) -> None:
    html = _page(client.get("/learning/summary/", name="executive summary"))
    periods = choices(html, "period", method="get")
    if periods:
        _page(client.get(f"/learning/summary/?period={random.choice(periods)}", name="executive summary"))


def ni_escalations(client) -> None:
    """The inbox, one escalation, and its acknowledgement when it is still waiting for one."""
    html = _page(client.get("/escalations/?show=all", name="escalations"))
    opened = _open_one(client, html, r"/escalations/\d+/", "escalation")
    if opened is None:
        return
    path, page = opened
    action = f"{path}acknowledge/"
    if f'action="{action}"' in page:
        _page(client.post(action, data=form_fields(page, action), name="acknowledge an escalation"))


# --- commissioner: their released evidence packs --------------------------------------------------------


def commissioner_packs(client) -> None:
    """The packs page, and one pack downloaded (a PDF)."""
    response = client.get("/reporting/packs/", name="commissioner's packs")
    html = _page(response, "pack")
    found = links(html, r"/reporting/packs/\d+/download/")
    if not found:
        raise JourneyError("No evidence pack to download: were the demo's packs built?")
    pdf = client.get(random.choice(found), name="download a pack")
    if pdf.status_code != 200 or not pdf.content.startswith(b"%PDF"):
        raise JourneyError(f"The pack download answered {pdf.status_code}, not a PDF.")


@dataclass(frozen=True)
class Persona:
    """Who signs in, and what they do, each task with its weight (how often it is picked)."""

    name: str
    usernames: tuple[str, ...]
    tasks: dict = field(default_factory=dict)


PERSONAS = [
    Persona(
        "quality director",
        ("quality.director",),
        {qd_dashboard: 3, qd_register_and_trigger: 3, qd_review_list: 2, qd_log_trigger: 1},
    ),
    # Rowan Court has the demo's live learning (chain B); its manager's journey has its writes.
    Persona(
        "registered manager",
        ("rm.rowancourt",),
        {rm_dashboard: 2, rm_record_observation: 3, rm_acknowledge_notice: 1},
    ),
    Persona("nominated individual", ("ni",), {ni_dashboard: 2, ni_summary: 3, ni_escalations: 2}),
    Persona("commissioner", ("commissioner.council", "commissioner.icb"), {commissioner_packs: 1}),
]
