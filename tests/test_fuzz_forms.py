"""Every form and filter of the app, sent nonsense by a person allowed to use it, answers without a
server error: huge and negative numbers, dates in the year 1 or 9999, unicode, empty values and
ids no record has are field errors or refusals, never a 500, on SQLite and PostgreSQL.

The forms are found from the URL patterns that accept POST; each one's fields are those of its form
class and those its page renders. The table below says who uses each form and on which record of the
demo provider; a new form must be added to it (the coverage test says so).
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adoption.forms import CorrectionForm, ObservationForm
from adoption.models import AdoptionObservation, Deployment
from escalation.forms import ActionForm, ResolveForm
from escalation.models import Escalation, StepRun
from learning_transfer.models import (
    ImplementationLine,
    Incident,
    LearningNotice,
    LearningTrigger,
    MatchedService,
)
from providers.models import User
from reporting_control.forms import DecisionForm, ReasonForm
from reporting_control.models import ReportingUpdate

pytestmark = pytest.mark.django_db
EXAMPLES = 25
DEMO_PROVIDER = "Oakwood Care Group"


def _trigger():
    return LearningTrigger.objects.filter(provider__name=DEMO_PROVIDER).order_by("-confirmed_at").first()


def _match():
    return MatchedService.objects.filter(trigger=_trigger(), included=True).order_by("pk").first()


def _update():
    return ReportingUpdate.objects.filter(provider__name=DEMO_PROVIDER).order_by("pk").first()


def _deployment():
    return Deployment.objects.filter(service__provider__name=DEMO_PROVIDER).order_by("pk").first()


def _escalation():
    return Escalation.objects.filter(provider__name=DEMO_PROVIDER).order_by("state", "pk").first()


def _notice():
    """A notice waiting for its owner's acknowledgement."""
    return LearningNotice.objects.filter(acknowledged_at=None, owner__isnull=False).order_by("pk").first()


def _step_run():
    runs = StepRun.objects.filter(chain_run__provider__name=DEMO_PROVIDER, role="quality_director")
    return runs.order_by("state", "pk").first()


def _pk(record) -> dict:
    return {"pk": record.pk}


# url name -> (who uses the form, the URL's arguments from the demo, extra form class for its fields);
# the user is a username, or a function giving one when it depends on the record.
FORMS = {
    "escalation:acknowledge": ("ni", lambda: _pk(_escalation()), None),
    "escalation:record_action": ("ni", lambda: _pk(_escalation()), ActionForm),
    "escalation:resolve": ("ni", lambda: _pk(_escalation()), ResolveForm),
    "escalation:step_run": ("quality.director", lambda: _pk(_step_run()), None),
    "escalation:tune_step": ("admin", lambda: {"code": "A2"}, None),
    "learning_transfer:trigger_add": ("quality.director", dict, None),
    "learning_transfer:trigger_learning": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:match_adjust": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:trigger_rematch": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:trigger_record_a1": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:notices_issue": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:notices_redistribute": ("governance.officer", lambda: _pk(_trigger()), None),
    "learning_transfer:trigger_close": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:notice_acknowledge": (lambda: _notice().owner.username, lambda: _pk(_notice()), None),
    "learning_transfer:notice_owner": ("governance.officer", lambda: _pk(_notice()), None),
    "learning_transfer:match_lead": ("operations.director", lambda: _pk(_match()), None),
    "learning_transfer:match_exposure": ("operations.director", lambda: _pk(_match()), None),
    "learning_transfer:line_add": ("operations.director", lambda: _pk(_match()), None),
    "learning_transfer:match_verify": ("operations.director", lambda: _pk(_match()), None),
    "learning_transfer:line_complete": (
        "operations.director",
        lambda: _pk(ImplementationLine.objects.order_by("completed_at", "pk").first()),
        None,
    ),
    "learning_transfer:incident_add": ("quality.director", dict, None),
    "learning_transfer:incident_review": (
        "quality.director",
        lambda: _pk(Incident.objects.filter(service__provider__name=DEMO_PROVIDER).order_by("pk").first()),
        None,
    ),
    "learning_transfer:import": ("performance.analyst", dict, None),
    "adoption:deployment_detail": ("rm.rowancourt", lambda: _pk(_deployment()), ObservationForm),
    "adoption:close": ("rm.rowancourt", lambda: _pk(_deployment()), CorrectionForm),
    "adoption:correct_observation": (
        "rm.rowancourt",
        lambda: _pk(AdoptionObservation.objects.filter(deployment=_deployment()).order_by("pk").first()),
        None,
    ),
    "adoption:deploy": ("operations.director", lambda: {"match_pk": _match().pk}, None),
    "reporting_control:update_create": ("provider.director", dict, None),
    "reporting_control:line_create": ("provider.director", lambda: _pk(_update()), None),
    "reporting_control:line_decide": (
        "provider.director",
        lambda: {"pk": _update().pk, "line_pk": _update().lines.order_by("pk").first().pk},
        DecisionForm,
    ),
    "reporting_control:evidence_check": ("provider.director", lambda: _pk(_update()), None),
    "reporting_control:hold_place": ("provider.director", lambda: _pk(_update()), None),
    "reporting_control:hold_lift": ("provider.director", lambda: _pk(_update()), ReasonForm),
    "reporting_control:release": ("provider.director", lambda: _pk(_update()), None),
    "reporting_control:pack_request": ("provider.director", lambda: _pk(_update()), None),
    "login": (None, dict, None),
    "logout": (None, dict, None),
}

# List pages and their GET filters.
FILTERS = {
    "learning_transfer:trigger_list": "quality.director",
    "learning_transfer:summary": "ni",
    "learning_transfer:review_candidates": "quality.director",
    "learning_transfer:notice_list": "rm.rowancourt",
    "adoption:my_service": "rm.rowancourt",
    "escalation:inbox": "ni",
    "reporting_control:update_list": "provider.director",
}

NASTY = [
    "",
    " ",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "9999-12-31 23:59",
    "31/12/9999 23:59",
    "99999999999999999999",
    "-99999999999999999999",
    "-1",
    "0",
    "1e400",
    "NaN",
    "-Infinity",
    "２０２６-１１-２３",
    "2026-02-30T25:61",
    "<script>alert(1)</script>",
    "🙂" * 300,
]


def post_urls() -> dict:
    """Every URL pattern whose view accepts POST, by name (the admin excepted: superusers only)."""
    found = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    inner = f"{pattern.namespace}:" if pattern.namespace else namespace
                    walk(pattern.url_patterns, inner)
            elif hasattr(getattr(pattern.callback, "view_class", None), "post"):
                found[f"{namespace}{pattern.name}"] = pattern.callback.view_class

    walk(get_resolver().url_patterns)
    return found


def test_every_form_is_fuzzed():
    assert set(post_urls()) <= set(FORMS), "add the new form to FORMS with its user and record"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo provider, loaded once for the module; each test's changes are rolled back after it
    (its own transaction is a savepoint inside this one), and this one is rolled back at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", days=7, stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _signed_in(client, username):
    username = username() if callable(username) else username
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def page_fields(html: str) -> tuple[set[str], dict[str, list[str]]]:
    """The field names a page's forms render, and the values offered for each (options, boxes)."""
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))
    offered: dict[str, list[str]] = {}
    for name, body in re.findall(r'<select[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        offered.setdefault(name, []).extend(re.findall(r'<option[^>]*value="([^"]*)"', body))
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and re.search(r'type="(?:checkbox|radio)"', tag):
            offered.setdefault(name.group(1), []).append(value.group(1))
    names.discard("csrfmiddlewaretoken")
    return names, offered


def values_for(offered: list[str]):
    """One field's generated value: nonsense, text, numbers, dates, or one of the offered values."""
    choices = [
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.integers(min_value=-(10**25), max_value=10**25).map(str),
        st.dates().map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    ]
    if offered:
        choices.append(st.sampled_from(offered))
    single = st.one_of(choices)
    return st.one_of(single, st.lists(single, min_size=1, max_size=3))


def form_data(names: set[str], offered: dict) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={name: values_for(offered.get(name, [])) for name in names})


def _fields(client, url, view_class, extra_form) -> tuple[set[str], dict]:
    page = client.get(url)
    names, offered = page_fields(page.text if page.status_code == 200 else "")
    for form_class in (getattr(view_class, "form_class", None), extra_form):
        if form_class is not None:
            names |= set(form_class.base_fields)
    return names, offered


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_form_answers_nonsense_without_a_server_error(name, demo, db, client):
    username, arguments, extra_form = FORMS[name]
    url = reverse(name, kwargs=arguments())
    _signed_in(client, username)
    names, offered = _fields(client, url, post_urls()[name], extra_form)

    @FUZZ
    @given(data=form_data(names, offered))
    def post(data):
        _signed_in(client, username)  # a form that signs out (logout) is still sent by its user
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    post()


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_a_filter_answers_nonsense_without_a_server_error(name, demo, db, client):
    url = reverse(name)
    _signed_in(client, FILTERS[name])
    names, offered = page_fields(client.get(url).text)

    @FUZZ
    @given(data=form_data(names | {"page"}, offered))
    def get(data):
        response = client.get(url, data)
        assert response.status_code < 500, (url, data)

    get()
