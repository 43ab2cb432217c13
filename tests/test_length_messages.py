"""A text over its limit is told, in the house's words, which field to shorten and by how much:
"Shorten the task to 300 characters or fewer (it has 3000).", never Django's "Ensure this value has
at most 300 characters (it has 3000)." One place (config/forms.py's bound field) gives every form of
the project that message; a form that chose its own keeps it."""

import pytest
from django import forms

from learning_transfer.forms import LineForm
from learning_transfer.models import MatchedService
from providers.forms import reason_field
from reporting_control.forms import UpdateForm
from tests.factories import falls_trigger

# The walk over every project form, with how its page builds each one.
from tests.test_error_messages_name_the_field import builders, project_form_classes  # noqa: F401

pytestmark = pytest.mark.django_db

DJANGO_WORDS = "Ensure this value has at most"


def test_a_task_too_long_is_told_to_shorten_the_task(provider, elm_house, quality_director):
    match = MatchedService.objects.create(
        trigger=falls_trigger(provider, elm_house, quality_director), service=elm_house
    )
    form = LineForm({"task": "x" * 3000}, match=match)
    assert form.errors["task"] == ["Shorten the task to 300 characters or fewer (it has 3000)."]


def test_an_update_title_too_long_is_told_to_shorten_the_title(provider):
    form = UpdateForm(
        {"title": ("Falls " * 34)[:201]},  # words: one long run of letters is refused for that alone
        triggers=provider.learning_triggers.all(),
        services=provider.services.all(),
    )
    assert form.errors["title"] == ["Shorten the title to 200 characters or fewer (it has 201)."]


def test_no_limited_text_field_of_any_form_keeps_djangos_words(builders):  # noqa: F811
    kept = []
    for cls in project_form_classes():
        form = builders(cls)
        for name in form.fields:
            field = form[name].field  # bound, as rendering or cleaning the form would
            if getattr(field, "max_length", None) is None:
                continue
            message = str(field.error_messages.get("max_length", DJANGO_WORDS))
            if DJANGO_WORDS in message:
                kept.append(f"{cls.__name__}.{name}")
    assert kept == []


def test_a_reason_is_refused_in_the_words_every_text_field_uses():
    """One wording for a text too long, whether a form or a service refuses it."""

    class Why(forms.Form):
        reason = reason_field(what="the reason")

    form = Why({"reason": "x" * 3000})
    assert form.errors["reason"] == ["Shorten the reason to 500 characters or fewer (it has 3000)."]
