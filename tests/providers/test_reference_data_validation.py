"""Reference data refuses nonsense with a message that says what to fix."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from providers.choices import Role
from providers.models import Provider, RoleAssignment, ShiftPattern
from tests.factories import CommissionerFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_provider_with_unknown_working_days_is_refused(provider):
    provider.working_weekdays = "0,1,mon"
    with pytest.raises(ValidationError, match="Working days must be numbers from 0"):
        provider.full_clean()


def test_a_working_day_that_ends_before_it_starts_is_refused(provider):
    provider.working_day_start, provider.working_day_end = "17:00", "09:00"
    with pytest.raises(ValidationError) as error:
        provider.full_clean()
    assert "working_weekdays" in error.value.message_dict


def test_a_service_role_without_a_service_is_refused(provider):
    assignment = RoleAssignment(user=UserFactory(), role=Role.REGISTERED_MANAGER, provider=provider)
    with pytest.raises(ValidationError, match="Registered Manager is held for a service: choose one"):
        assignment.full_clean()


def test_a_provider_role_cannot_be_narrowed_to_a_region(provider, north):
    assignment = RoleAssignment(
        user=UserFactory(), role=Role.QUALITY_DIRECTOR, provider=provider, region=north
    )
    with pytest.raises(ValidationError, match="held for the whole provider"):
        assignment.full_clean()


def test_a_role_at_another_providers_service_is_refused(provider, other_provider_service):
    assignment = RoleAssignment(
        user=UserFactory(), role=Role.CLINICAL_LEAD, provider=provider, service=other_provider_service
    )
    with pytest.raises(ValidationError, match="must belong to the chosen provider"):
        assignment.full_clean()


def test_a_commissioner_role_names_the_organisation_the_person_works_for(provider, elm_house):
    assignment = RoleAssignment(user=UserFactory(), role=Role.COMMISSIONER, provider=provider)
    with pytest.raises(ValidationError, match="Choose the commissioning organisation"):
        assignment.full_clean()
    with pytest.raises(IntegrityError):
        assignment.save()


def test_a_commissioner_role_is_not_narrowed_to_one_service(provider, elm_house):
    assignment = RoleAssignment(
        user=UserFactory(),
        role=Role.COMMISSIONER,
        provider=provider,
        service=elm_house,
        commissioner=CommissionerFactory(),
    )
    with pytest.raises(ValidationError, match="sees what its organisation commissions"):
        assignment.full_clean()


def test_only_a_commissioner_role_names_a_commissioning_organisation(provider):
    assignment = RoleAssignment(
        user=UserFactory(), role=Role.QUALITY_DIRECTOR, provider=provider, commissioner=CommissionerFactory()
    )
    with pytest.raises(ValidationError, match="Only the Commissioner role"):
        assignment.full_clean()


def test_a_shift_that_starts_and_ends_at_once_is_refused(elm_house):
    with pytest.raises(ValidationError, match="cannot start and end at the same time"):
        ShiftPattern(service=elm_house, name="odd", start="08:00", end="08:00").full_clean()


def test_the_admin_form_shows_the_error_and_saves_nothing(client, sign_in, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(admin)
    response = client.post(
        reverse("admin:providers_provider_add"),
        {
            "name": "Broken Care",
            "cqc_provider_id": "1-999",
            "working_day_start": "09:00",
            "working_day_end": "17:00",
            "working_weekdays": "8,9",
        },
    )
    assert response.status_code == 200
    assert "errornote" in response.text
    assert "Working days must be a non-empty set of weekday numbers, 0 (Mon) to 6 (Sun)." in response.text
    assert not Provider.objects.filter(name="Broken Care").exists()


def test_a_duplicate_cqc_provider_id_is_refused(provider):
    with pytest.raises(ValidationError, match="CQC provider ID already exists"):
        ProviderFactory.build(cqc_provider_id=provider.cqc_provider_id).full_clean()


def test_engine_and_report_rows_are_read_only_in_the_admin(client, db):
    from django.contrib import admin

    from escalation.models import Escalation
    from reporting_control.models import IssueHold

    request = type("Request", (), {"user": UserFactory(is_staff=True, is_superuser=True)})()
    for model in (Escalation, IssueHold):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
