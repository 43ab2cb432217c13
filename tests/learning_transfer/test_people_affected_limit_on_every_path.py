"""The number of people an incident affected is 1 to 10,000 on every path, not only the import and the
form: the admin refuses more with the same message, and the database refuses what slips past both."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from learning_transfer.models import Incident
from tests.factories import UserFactory

from .conftest import LONDON

pytestmark = pytest.mark.django_db
OUT_OF_RANGE = "Give the number of people affected as a whole number from 1 to 10,000."


def admin_form(service, people) -> dict:
    return {
        "service": service.pk,
        "source_reference": "ADMIN-1",
        "occurred_at_0": "2026-11-04",
        "occurred_at_1": "09:00:00",
        "theme": "fall",
        "harm_level": "none",
        "people_affected": people,
        "description": "",
        "_save": "Save",
    }


@pytest.mark.parametrize("people", [0, 10_001, 2_000_000])
def test_the_admin_refuses_a_number_outside_the_limits_with_the_imports_message(
    client, sign_in, elm_house, people
):
    sign_in(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:learning_transfer_incident_add"), admin_form(elm_house, people))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["people_affected"] == [OUT_OF_RANGE]
    assert not Incident.objects.exists()


def test_the_admin_accepts_the_limit_itself(client, sign_in, elm_house):
    sign_in(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:learning_transfer_incident_add"), admin_form(elm_house, 10_000))
    assert response.status_code == 302
    assert Incident.objects.get().people_affected == 10_000


def test_the_model_and_the_database_refuse_more_than_ten_thousand(elm_house):
    incident = Incident(
        service=elm_house,
        source_reference="RAW-1",
        occurred_at=datetime(2026, 11, 4, 9, tzinfo=LONDON),
        theme="fall",
        people_affected=10_001,
    )
    with pytest.raises(ValidationError) as error:
        incident.full_clean()
    assert error.value.message_dict["people_affected"] == [OUT_OF_RANGE]
    with pytest.raises(IntegrityError), transaction.atomic():
        incident.save()
