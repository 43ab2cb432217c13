"""A UK date and time that the clocks skip (late March) or pass twice (late October) is answered in
words, on every form that takes a date and time (`providers.fields.DateTimeField`)."""

from datetime import datetime

from django import forms

from providers.calendar import LONDON
from providers.fields import DateTimeField


class WhenForm(forms.Form):
    when = DateTimeField(input_formats=["%d/%m/%Y %H:%M"])


def test_a_time_the_clocks_skip_says_so_and_what_to_enter():
    form = WhenForm({"when": "29/03/2026 01:30"})
    assert not form.is_valid()
    assert form.errors["when"] == [
        "There is no 01:30 on Sun 29 Mar 2026: the clocks go forward an hour at 1am. Enter a time from 02:00."
    ]


def test_a_time_the_clocks_pass_twice_is_taken_as_the_first_by_a_stated_rule():
    form = WhenForm({"when": "25/10/2026 01:30"})
    assert form.is_valid(), form.errors
    # The first 01:30, still British Summer Time: 00:30 UTC, an hour before the second.
    assert form.cleaned_data["when"] == datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)
    assert form.cleaned_data["when"].utcoffset().total_seconds() == 3600


def test_an_ordinary_time_is_unchanged():
    form = WhenForm({"when": "29/03/2026 02:30"})
    assert form.is_valid() and form.cleaned_data["when"].utcoffset().total_seconds() == 3600
