"""A table's row links are written by `record_url`, which reverses each page's address once: every
address it gives is the one Django's `reverse` (and `{% url %}`) gives for the same page and id."""

import pytest
from django.template import engines
from django.urls import clear_script_prefix, reverse, set_script_prefix

from providers.templatetags.nhsuk import record_url

RECORD_PAGES = [
    "learning_transfer:trigger_detail",
    "learning_transfer:match_detail",
    "learning_transfer:notice_owner",
    "escalation:step_run",
]


@pytest.mark.parametrize("name", RECORD_PAGES)
@pytest.mark.parametrize("pk", [1, 7, 918273645, 2**63 - 1, "42"])
def test_a_row_link_is_the_address_django_reverses(name, pk):
    assert record_url(name, pk) == reverse(name, args=[pk])


def test_a_row_link_follows_the_sites_script_prefix():
    record_url("learning_transfer:trigger_detail", 5)  # the address without a prefix, kept
    set_script_prefix("/governance/")
    try:
        assert record_url("learning_transfer:trigger_detail", 5) == reverse(
            "learning_transfer:trigger_detail", args=[5]
        )
        assert record_url("learning_transfer:trigger_detail", 5).startswith("/governance/")
    finally:
        clear_script_prefix()
    assert record_url("learning_transfer:trigger_detail", 5) == "/learning/triggers/5/"


def test_a_row_link_takes_only_a_whole_number():
    with pytest.raises(ValueError):
        record_url("learning_transfer:trigger_detail", "5/../../admin")


def test_the_tag_writes_the_same_link_as_the_url_tag():
    template = engines["django"].from_string(
        "{% load nhsuk %}{% record_url 'learning_transfer:match_detail' pk %}|"
        "{% url 'learning_transfer:match_detail' pk %}"
    )
    ours, djangos = template.render({"pk": 31}).split("|")
    assert ours == djangos
