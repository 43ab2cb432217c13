"""The notice list is each person's own: the notices they acknowledge apart from those others at their
services acknowledge, naming who, in the same number of queries however many notices there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from learning_transfer.services import issue_notices
from providers.choices import Role
from tests.factories import person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)


def words(response) -> str:
    return " ".join(strip_tags(response.text).split())


def test_a_deputy_sees_whose_notices_wait_and_is_offered_no_button(
    client, sign_in, log_falls_trigger, managers, quality_director, north
):
    issue_notices(log_falls_trigger(), by=quality_director, now=ISSUED)
    deputy = person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north)
    sign_in(deputy)
    response = client.get(reverse("learning_transfer:notice_list"))
    assert response.context["yours"] == []
    assert {notice.service.name for notice in response.context["others"]} == {"Ash Grove", "Beech Lodge"}
    assert "Acknowledge receipt" not in response.text
    assert f"Waiting for Registered Manager at Ash Grove: {managers['ash']}" in words(response)

    sign_in(managers["ash"])
    response = client.get(reverse("learning_transfer:notice_list"))
    assert [notice.service.name for notice in response.context["yours"]] == ["Ash Grove"]
    assert "Acknowledge receipt" in response.text.split("Yours to acknowledge", 1)[1]


def test_the_notice_list_needs_the_same_queries_for_few_or_many_notices(
    client, sign_in, log_falls_trigger, managers, quality_director, provider
):
    director = person_with_role(Role.OPERATIONS_DIRECTOR, provider=provider)
    sign_in(director)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("learning_transfer:notice_list")).status_code == 200
        return len(captured.captured_queries)

    issue_notices(log_falls_trigger(), by=quality_director, now=ISSUED)
    few = queries()
    for number in range(2):
        issue_notices(log_falls_trigger(title=f"Another fall {number}"), by=quality_director, now=ISSUED)
    many = client.get(reverse("learning_transfer:notice_list")).context["others"]
    assert len(many) == 12
    assert queries() == few
