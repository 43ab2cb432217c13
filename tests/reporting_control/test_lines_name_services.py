"""Every reporting line names the services it speaks for; a line from before that rule stops the update
being issued until someone names them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting_control import services
from reporting_control.choices import LineKind, LineState
from reporting_control.models import ReportingLine

pytestmark = pytest.mark.django_db

NO_SERVICES = "Name at least one service this claim speaks for."


def test_the_line_form_refuses_a_line_naming_no_services_with_a_field_error(
    sign_in, client, plan, compliance_manager
):
    update = plan()
    sign_in(compliance_manager)
    response = client.post(
        reverse("reporting_control:line_create", args=[update.pk]),
        {"claim": "Every home now checks falls risk at night.", "kind": LineKind.PROVIDER_WIDE},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["services"] == [NO_SERVICES]
    assert NO_SERVICES in response.text  # in the error summary and beside the field
    assert not update.lines.exists()


def test_adding_a_line_without_services_is_refused_whoever_calls(plan, compliance_manager):
    update = plan()
    with pytest.raises(ValidationError) as refused:
        services.add_line(
            update, by=compliance_manager, claim="Shared everywhere.", kind=LineKind.PROVIDER_WIDE
        )
    assert refused.value.message_dict == {"services": [NO_SERVICES]}


@pytest.fixture
def old_line(evidenced_update):
    """A line saved before every line had to name its services (as existing data may hold)."""
    return ReportingLine.objects.create(
        update=evidenced_update,
        order=2,
        claim="Learning shared with every home.",
        kind=LineKind.PROVIDER_WIDE,
    )


def test_a_line_naming_no_services_is_shown_so_and_stops_the_update_being_issued(
    sign_in, client, old_line, compliance_manager, provider_director
):
    update = old_line.update
    assert "Lines naming no services (name them, or freeze or defer the line): 2." in (
        services.release_problems(update)
    )
    with pytest.raises(ValidationError, match="Lines naming no services"):
        services.release_update(update, by=provider_director)

    sign_in(compliance_manager)
    page = client.get(update.get_absolute_url()).text
    assert "Names no services" in page
    assert reverse("reporting_control:line_services", args=[update.pk, old_line.pk]) in page


def test_naming_the_services_of_an_old_line_checks_its_evidence_and_lets_the_update_go(
    sign_in, client, old_line, compliance_manager, provider_director, birch_lodge, cedar_court
):
    update = old_line.update
    url = reverse("reporting_control:line_services", args=[update.pk, old_line.pk])
    sign_in(compliance_manager)

    refused = client.post(url, {})
    assert refused.context["form"].errors["services"] == [NO_SERVICES]

    response = client.post(url, {"services": [birch_lodge.pk]})
    assert response.status_code == 302
    old_line.refresh_from_db()
    assert list(old_line.services.all()) == [birch_lodge]
    assert old_line.state == LineState.EVIDENCED  # judged again: Birch Lodge's implementation is verified
    assert old_line.history.first().history_user == compliance_manager
    assert not any("naming no services" in problem for problem in services.release_problems(update))


def test_a_withheld_line_naming_no_services_does_not_stop_the_update(old_line, compliance_manager):
    services.decide_line(old_line, by=compliance_manager, state=LineState.DEFERRED, reason="Awaiting proof.")
    assert not any("naming no services" in p for p in services.release_problems(old_line.update))


def test_another_providers_service_cannot_be_named(old_line, compliance_manager, other_provider_service):
    with pytest.raises(ValidationError, match="of this provider only"):
        services.name_line_services(old_line, by=compliance_manager, services=[other_provider_service])
