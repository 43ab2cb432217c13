"""A notice nobody can acknowledge (its owner has left and the service has no registered manager)
names the role nobody holds and the service, in the one sentence every page uses for a role nobody
holds (providers.who_acts.nobody_holds)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from learning_transfer.services import issue_notices
from providers.choices import Role
from providers.models import RoleAssignment
from tests.factories import person_with_role

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db


def test_a_notice_nobody_can_acknowledge_names_the_role_and_the_service(
    client, sign_in, log_falls_trigger, managers, quality_director, north
):
    issue_notices(log_falls_trigger(), by=quality_director, now=CONFIRMED + timedelta(minutes=30))
    RoleAssignment.objects.filter(user=managers["ash"]).delete()  # the owner and manager has left
    sign_in(person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north))
    response = client.get(reverse("learning_transfer:notice_list"))
    words = " ".join(strip_tags(response.text).split())
    assert (
        "Nobody at Ash Grove holds the Registered Manager role yet: ask your provider administrator." in words
    )
    assert f"Waiting for Registered Manager at Beech Lodge: {managers['beech']}" in words
    assert "Waiting for Nobody" not in words and "Nobody holds a role" not in words
