"""Found: a 200-character title with no space (a pasted reference) was accepted, and pushed every
table and heading showing it off the screen (3008 px wide at 1280, 1688 px at 390). A title's words
must wrap: a run longer than 40 characters is refused, saying why, on the trigger and update forms."""

import pytest

from learning_transfer.forms import TriggerForm
from learning_transfer.models import LearningTrigger
from providers.forms import PersonForm
from providers.models import Service
from reporting_control.choices import LineKind
from reporting_control.forms import LineForm, UpdateForm

pytestmark = pytest.mark.django_db

PASTED = "REF-" + "A" * 196


def test_a_trigger_title_without_spaces_is_refused_with_why():
    form = TriggerForm(data={"title": PASTED})
    assert not form.is_valid()
    [message] = form.errors["title"]
    assert "Break up “REF-AAAAAAAAAAAAAAAA…” with spaces" in message
    assert "on a phone too" in message


def test_an_update_title_without_spaces_is_refused_and_a_long_title_of_words_is_not():
    form = UpdateForm(
        data={"title": PASTED}, triggers=LearningTrigger.objects.none(), services=Service.objects.none()
    )
    assert "Break up" in form.errors["title"][0]
    words = UpdateForm(
        data={"title": "Quarterly return " * 10},
        triggers=LearningTrigger.objects.none(),
        services=Service.objects.none(),
    )
    assert "title" not in words.errors


def test_a_claim_and_a_name_without_spaces_are_refused_too(provider):
    """Found: a claim of 5,000 characters without a space ran off the commissioner's evidence pack
    page, and a first name of 49 ran off a phone's People and roles page."""
    line = LineForm(data={"claim": PASTED, "kind": LineKind.IMPROVEMENT}, services=Service.objects.none())
    assert line.errors["claim"][0].startswith("Break up “REF-AAAAAAAAAAAAAAAA…” with spaces: a claim's words")
    person = PersonForm(provider, data={"first_name": "A" * 49, "last_name": "Hale"})
    assert "a name's words must be at most 40 characters" in person.errors["first_name"][0]
