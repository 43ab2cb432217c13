"""A record's history table: its newest changes first, who made each and why, read in one query."""

import pytest
from django.template.loader import render_to_string

from providers.history import recent_changes

pytestmark = pytest.mark.django_db


def _rename(service, name, who, why):
    service.name = name
    service._history_user = who
    service._change_reason = why
    service.save()


def test_the_newest_changes_come_first_with_who_made_them_and_why(
    elm_house, quality_director, django_assert_num_queries
):
    _rename(elm_house, "Elm House North", quality_director, "Split into two homes")
    _rename(elm_house, "Elm House (North)", quality_director, "Name as registered with CQC")

    with django_assert_num_queries(1):  # the changes with their people; no column read row by row
        html = render_to_string("includes/history.html", {"history": recent_changes(elm_house, 2)})

    assert html.index("Name as registered with CQC") < html.index("Split into two homes")
    assert html.count(str(quality_director)) == 2
    assert "Created" not in html, "only the newest two changes are shown"
    everything = list(recent_changes(elm_house, limit=None))
    assert [change.get_history_type_display() for change in everything] == ["Changed", "Changed", "Created"]
