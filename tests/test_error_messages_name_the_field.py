"""Every error message says which field it is about: an error summary of four bare "This field is
required." links tells a person nothing. Each form of the project, as its page builds it, gives every
required field a message naming the field, and the trigger form's summary shows them."""

import importlib
import inspect
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.urls import reverse

from escalation.models import StepRun
from learning_transfer.models import ImportJob, Incident, MatchedService
from providers.models import Service
from tests.factories import falls_trigger

pytestmark = pytest.mark.django_db

DJANGO_DEFAULT = "This field is required."
FORMS_MODULES = [
    "accounts.forms",
    "adoption.forms",
    "escalation.forms",
    "learning_transfer.forms",
    "providers.forms",
    "reporting_control.forms",
]


def project_form_classes() -> list[type]:
    """Every concrete form class defined in an app's forms module."""
    found = []
    for name in FORMS_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, forms.BaseForm):
                found.append(cls)
    return found


@pytest.fixture
def builders(provider, elm_house, quality_director):
    """How to build each form needing more than its data: the records its page passes in."""
    trigger = falls_trigger(provider, elm_house, quality_director)
    match = MatchedService.objects.create(trigger=trigger, service=elm_house)
    services = Service.objects.filter(pk=elm_house.pk)
    step_run = StepRun(
        code="A2",
        measures=[{"name": "received_pct", "label": "Notices received", "unit": "%"}],
        check_method="",
        evidence_store="",
    )
    by_argument = {
        "provider": provider,
        "services": services,
        "service": elm_house,
        "trigger": trigger,
        "match": match,
        "incidents": None,
        "imports": ImportJob.objects.none(),
        "triggers": trigger.provider.learning_triggers.all(),
        "incident": Incident(service=elm_house, source_reference="E-1", theme="fall"),
    }
    special = {
        "StepRecordForm": lambda cls: cls(step_run),
        "StepSettingForm": lambda cls: cls(
            {"measure": "received_pct", "op": "<", "value": 90}, step_run.measures, 4
        ),
        # Built from a deployment and an observation: their own fields are covered by their base
        # fields (named below), the records only add optional group fields and labelled measures.
        "ObservationForm": None,
        "CorrectionForm": None,
    }

    def build(cls):
        if cls.__name__ in special:
            make = special[cls.__name__]
            if make is None:
                form = cls.__new__(cls)
                forms.Form.__init__(form)
                return form
            return make(cls)
        wanted = [
            p.name
            for p in inspect.signature(cls.__init__).parameters.values()
            if p.name not in ("self", "args", "kwargs") and p.default is inspect.Parameter.empty
        ]
        missing = [name for name in wanted if name not in by_argument]
        assert not missing, f"Tell this test how to build {cls.__name__}: it needs {missing}"
        return cls(**{name: by_argument[name] for name in wanted})

    return build


def test_the_walk_finds_the_project_forms():
    names = {cls.__name__ for cls in project_form_classes()}
    assert {"TriggerForm", "ReasonForm", "LoginForm", "DeployForm", "StepRecordForm"} <= names
    assert len(names) >= 30


def test_no_required_field_of_any_form_keeps_djangos_bare_message(builders):
    bare = []
    for cls in project_form_classes():
        form = builders(cls)
        for name in form.fields:
            bound = form[name]  # as rendering or cleaning the form would
            if bound.field.required and str(bound.field.error_messages["required"]) == DJANGO_DEFAULT:
                bare.append(f"{cls.__name__}.{name}")
    assert bare == []


def test_a_form_that_chose_its_own_message_keeps_it(builders):
    from reporting_control.forms import ReasonForm

    form = ReasonForm({"reason": ""}, missing="Give the reason for lifting the hold.")
    assert form.errors == {"reason": ["Give the reason for lifting the hold."]}


def test_the_trigger_form_summary_names_each_missing_field(client, sign_in, quality_director, elm_house):
    sign_in(quality_director)
    with time_machine.travel(datetime(2026, 12, 6, 9, 45, tzinfo=ZoneInfo("Europe/London"))):
        page = client.post(reverse("learning_transfer:trigger_add"), {}).text
    summary = page.split('class="nhsuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert DJANGO_DEFAULT not in page
    for message in (
        "Choose the service where it happened.",
        "Enter the title.",
        "Choose the theme.",
        "Enter what happened.",
    ):
        assert message in summary
