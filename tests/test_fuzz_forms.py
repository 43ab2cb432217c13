"""Every form and filter of the app, sent nonsense by a person allowed to use it, answers without a
server error: huge and negative numbers, dates in the year 1 or 9999, unicode, empty values and
ids no record has are field errors or refusals, never a 500, on SQLite and PostgreSQL.

The forms are found from the URL patterns that accept POST; each one's fields are those of its form
class and those its page renders. The table below says who uses each form and on which record of the
demo provider; a new form must be added to it (the coverage test says so).
"""

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from io import StringIO

import pytest
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adoption.forms import CorrectionForm, ObservationForm
from adoption.models import AdoptionObservation, Deployment
from escalation.forms import ActionForm, ResolveForm
from escalation.models import Escalation, StepRun
from learning_transfer.models import (
    ImplementationLine,
    ImportJob,
    Incident,
    LearningNotice,
    LearningTrigger,
    MatchedService,
)
from providers.forms import SwitchSignInForm
from providers.models import RoleAssignment, User
from reporting_control.forms import DecisionForm, LineServicesForm, ReasonForm
from reporting_control.models import EvidencePack, ReportingUpdate
from tests.signing_in import signed_in

pytestmark = pytest.mark.django_db
EXAMPLES = 15  # generated submissions per form, after the extremes of each field
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


def _role():
    """A role held at the demo provider, other than its administrator's."""
    return RoleAssignment.objects.filter(provider__name=DEMO_PROVIDER, role="quality_director").first()


def _password_link(person) -> dict:
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
        "token": default_token_generator.make_token(person),
    }


def _pk(record) -> dict:
    return {"pk": record.pk}


# url name -> (who uses the form, the URL's arguments from the demo, extra form class for its fields);
# the user is a username, or a function giving one when it depends on the record.
FORMS = {
    "escalation:acknowledge": ("ni", lambda: _pk(_escalation()), None),
    "escalation:acknowledge_ticked": ("ni", dict, None),
    "escalation:record_action": ("ni", lambda: _pk(_escalation()), ActionForm),
    "escalation:resolve": ("ni", lambda: _pk(_escalation()), ResolveForm),
    "escalation:step_run": ("quality.director", lambda: _pk(_step_run()), None),
    "escalation:tune_step": ("admin", lambda: {"code": "A2"}, None),
    "working_hours": ("admin", dict, None),
    "people": ("admin", dict, None),
    "role_remove": ("admin", lambda: _pk(_role()), None),
    "person_add": ("admin", dict, None),
    "person_give_role": ("admin", lambda: _pk(_role().user), None),
    "person_password_link": ("admin", lambda: _pk(_role().user), None),
    "sign_in_off": ("admin", lambda: _pk(_role().user), SwitchSignInForm),
    "sign_in_on": ("admin", lambda: _pk(_role().user), SwitchSignInForm),
    "set_password": ("admin", lambda: _password_link(_role().user), SetPasswordForm),
    "learning_transfer:trigger_add": ("quality.director", dict, None),
    "learning_transfer:trigger_learning": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:match_adjust": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:trigger_rematch": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:trigger_record_a1": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:notices_issue": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:notices_redistribute": ("governance.officer", lambda: _pk(_trigger()), None),
    "learning_transfer:trigger_close": ("quality.director", lambda: _pk(_trigger()), None),
    "learning_transfer:trigger_close_no_learning": ("quality.director", lambda: _pk(_trigger()), None),
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
    "learning_transfer:line_reopen": (
        "operations.director",
        lambda: _pk(ImplementationLine.objects.filter(matched_service__isnull=False).order_by("pk").first()),
        None,
    ),
    "learning_transfer:line_change": (
        "operations.director",
        lambda: _pk(ImplementationLine.objects.filter(matched_service__isnull=False).order_by("-pk").first()),
        None,
    ),
    "learning_transfer:incident_add": ("quality.director", dict, None),
    "learning_transfer:incident_review": (
        "quality.director",
        lambda: _pk(Incident.objects.filter(service__provider__name=DEMO_PROVIDER).order_by("pk").first()),
        None,
    ),
    "learning_transfer:incident_correct": (
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
    "reporting_control:line_services": (
        "provider.director",
        lambda: {"pk": _update().pk, "line_pk": _update().lines.order_by("pk").first().pk},
        LineServicesForm,
    ),
    "reporting_control:evidence_check": ("provider.director", lambda: _pk(_update()), None),
    "reporting_control:hold_place": ("provider.director", lambda: _pk(_update()), None),
    "reporting_control:hold_lift": ("provider.director", lambda: _pk(_update()), ReasonForm),
    "reporting_control:release": ("provider.director", lambda: _pk(_update()), None),
    "reporting_control:pack_request": ("provider.director", lambda: _pk(_update()), None),
    "learning_transfer:import_retry": ("performance.analyst", lambda: _first_pk(ImportJob), None),
    "reporting_control:pack_retry": (
        "provider.director",
        lambda: {"pk": _update().pk, "pack_pk": _first_pk(EvidencePack)["pk"]},
        None,
    ),
    "two_factor_setup": ("rm.rowancourt", dict, None),
    "two_factor_recovery_codes": ("quality.director", dict, None),
    "two_factor_verify": ("quality.director", dict, None),
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


def _first_pk(model) -> dict:
    """The first record's pk, or one no record has (the page must then answer 404, not 500)."""
    first = model.objects.order_by("pk").first()
    return {"pk": first.pk if first else 987654}


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
        signed_in(client, User.objects.get(username=username))
    return client


@dataclass
class Field:
    """What kind of value a field takes, the values its page offers, and whether it takes several."""

    kind: str = "text"  # text, number, date, datetime or choice
    offered: list[str] = dataclass_field(default_factory=list)
    several: bool = False


INPUT_KINDS = {"number": "number", "date": "date", "datetime-local": "datetime"}
FORM_KINDS = [
    (forms.DateTimeField, "datetime"),
    (forms.DateField, "date"),
    (forms.DecimalField, "number"),
    (forms.IntegerField, "number"),
    (forms.ChoiceField, "choice"),
    (forms.ModelChoiceField, "choice"),
]


def page_fields(html: str) -> dict[str, Field]:
    """The fields a page's forms render: each one's kind and the values offered (options, boxes)."""
    fields: dict[str, Field] = {}
    for attributes, body in re.findall(r"<select\b([^>]*)>(.*?)</select>", html, re.S):
        field = fields.setdefault(_attribute(attributes, "name"), Field(kind="choice"))
        field.several = "multiple" in attributes
        field.offered += re.findall(r'<option[^>]*value="([^"]*)"', body)
    for attributes in re.findall(r"<(?:input|textarea)\b([^>]*)>", html):
        kind = _attribute(attributes, "type")
        field = fields.setdefault(_attribute(attributes, "name"), Field())
        if kind in ("checkbox", "radio", "hidden"):  # a hidden input names a record, or is empty
            field.kind, field.several = "choice", kind == "checkbox"
            field.offered.append(_attribute(attributes, "value"))
        else:
            field.kind = INPUT_KINDS.get(kind, "text")
    fields.pop("", None)
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def _attribute(attributes: str, name: str) -> str:
    found = re.search(rf'\b{name}="([^"]*)"', attributes)
    return found.group(1) if found else ""


def form_fields(form_class) -> dict[str, Field]:
    """The fields a form class declares (those its __init__ adds come from the page)."""
    found = {}
    for name, field in form_class.base_fields.items():
        kind = next((kind for cls, kind in FORM_KINDS if isinstance(field, cls)), "text")
        several = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        found[name] = Field(kind=kind, several=several)
    return found


def _datetimes(first: datetime, last: datetime):
    return st.datetimes(min_value=first, max_value=last).map(lambda d: d.strftime("%Y-%m-%dT%H:%M"))


def _dates(first: date, last: date):
    return st.dates(min_value=first, max_value=last).map(date.isoformat)


HUGE = st.integers(min_value=-(10**25), max_value=10**25).map(str)
BAD_IDS = st.sampled_from(["99999999999999999999", "-99999999999999999999", "0", "1.5", "abc", ""])
NONSENSE = {
    "datetime": st.one_of(
        st.sampled_from(["9999-12-31T23:59", "0001-01-01T00:00", "31/12/9999 23:59", "2026-02-30T25:61"]),
        _datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59)),
    ),
    "date": st.one_of(
        st.sampled_from(["9999-12-31", "0001-01-01", "２０２６-１１-２３", "2026-02-30"]),
        _dates(date(1, 1, 1), date(9999, 12, 31)),
    ),
    "number": st.one_of(st.sampled_from(["1e400", "NaN", "-Infinity", "-1", "1" * 40]), HUGE),
    "text": st.one_of(st.text(max_size=60), st.sampled_from(["", " ", "\x00", "🙂" * 300, "<b>x</b>"])),
    "choice": st.one_of(BAD_IDS, HUGE),
}
PLAUSIBLE = {
    "datetime": _datetimes(datetime(2026, 1, 1), datetime(2027, 6, 30)),
    "date": _dates(date(2026, 1, 1), date(2027, 6, 30)),
    "number": st.integers(min_value=0, max_value=100).map(str),
    "text": st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=20),
}


def plausible(field: Field):
    if field.kind == "choice" and field.offered:
        one = st.sampled_from([value for value in field.offered if value] or field.offered)
        return st.lists(one, min_size=1, max_size=2, unique=True) if field.several else one
    return PLAUSIBLE.get(field.kind, PLAUSIBLE["text"])


def nonsense(field: Field):
    """A value of the field's kind that no person should get through (or a value of another kind)."""
    own = NONSENSE[field.kind]
    one = st.one_of(own, own, own, *NONSENSE.values())  # mostly nonsense of the field's own kind
    if field.several:
        return st.lists(st.one_of(one, plausible(field)), min_size=1, max_size=3)
    return one


# The values every field of its kind is sent, one field at a time, before the generated ones.
EXTREMES = {
    "datetime": ["9999-12-31T23:59", "0001-01-01T00:00"],
    "date": ["9999-12-31", "0001-01-01"],
    "number": ["99999999999999999999", "-1", "1e400"],
    "text": ["", "🙂" * 300],
    "choice": ["99999999999999999999", "-99999999999999999999"],
}
TYPICAL = {"datetime": "2026-11-20T10:00", "date": "2026-11-20", "number": "5", "text": "Checked."}


def typical(field: Field):
    """A value a person would send: the first value offered, or one usual for the kind."""
    offered = [value for value in field.offered if value]
    value = offered[0] if offered else "" if field.kind == "choice" else TYPICAL[field.kind]
    return [value] if field.several else value


def extremes(fields: dict[str, Field]):
    """A typical submission with one field at an extreme, for every field and extreme of its kind."""
    baseline = {name: typical(field) for name, field in fields.items()}
    for name, field in sorted(fields.items()):
        for value in EXTREMES[field.kind]:
            yield baseline | {name: [*baseline[name], value] if field.several else value}


@st.composite
def submissions(draw, fields: dict[str, Field]):
    """A form filled in plausibly, with one to three fields (or none) made nonsense or left out, so
    the nonsense reaches the checks after the form's own: the services, the calendar, the analysis."""
    data = {name: draw(plausible(field)) for name, field in fields.items()}
    for name in draw(st.sets(st.sampled_from(sorted(fields)), max_size=3)) if fields else ():
        if draw(st.integers(min_value=0, max_value=3)):
            data[name] = draw(nonsense(fields[name]))
        else:
            del data[name]
    return data


def _fields(client, url, view_class, extra_form) -> dict[str, Field]:
    found = {}
    for form_class in (getattr(view_class, "form_class", None), extra_form):
        if form_class is not None:
            found |= form_fields(form_class)
    page = client.get(url)
    return found | page_fields(page.text if page.status_code == 200 else "")


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
    fields = _fields(client, url, post_urls()[name], extra_form)

    def post(data):
        _signed_in(client, username)  # a form that signs out (logout) is still sent by its user
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    for data in extremes(fields):
        post(data)
    FUZZ(given(data=submissions(fields))(post))()


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_a_filter_answers_nonsense_without_a_server_error(name, demo, db, client):
    url = reverse(name)
    _signed_in(client, FILTERS[name])
    fields = page_fields(client.get(url).text) | {"page": Field(kind="number")}

    def get(data):
        response = client.get(url, data)
        assert response.status_code < 500, (url, data)

    for data in extremes(fields):
        get(data)
    FUZZ(given(data=submissions(fields))(get))()
