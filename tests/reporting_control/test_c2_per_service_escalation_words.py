"""C2's escalation to a registered manager is about their service: it is labelled "Affected service",
asks what the manager can do at that service, and the analyst may name only a service the update is
about. Chain B's weak groups keep their own label."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.models import Escalation
from providers.choices import Role
from reporting_control import chain, services
from reporting_control.choices import LineKind
from tests.factories import CHECK_DONE, ServiceFactory, person_with_role

from .conftest import send_notice, verify

pytestmark = pytest.mark.django_db

C2_BREACHED = {"pct_completing_in_time": 33.3, "incident_rate_7d": 0.4, "movement_from_baseline_pct": {}}
WHY = {"pct_completing_in_time": "Counted from the services' own sign-off sheets."}


@pytest.fixture
def analyst(provider):
    return person_with_role(Role.PERFORMANCE_ANALYST, provider=provider, username="analyst")


@pytest.fixture
def update(plan, compliance_manager, quality_director, birch_match, cedar_match, birch_lodge, cedar_court):
    """Lines naming Birch Lodge (verified in time) and Cedar Court (never verified: behind)."""
    verify(birch_match)
    for match in (birch_match, cedar_match):
        notice = send_notice(match, quality_director)
        notice.due_at = timezone.now() - timedelta(days=1)
        notice.save()
    update = plan()
    for service in (birch_lodge, cedar_court):
        services.add_line(
            update,
            by=compliance_manager,
            claim=f"{service.name} now checks falls risk at every night round.",
            kind=LineKind.NAMED_SERVICE,
            services=[service],
        )
    return update


def test_the_managers_escalation_names_the_affected_service_and_what_to_do(
    client, sign_in, update, analyst, cedar_court
):
    manager = person_with_role(Role.REGISTERED_MANAGER, service=cedar_court, username="cedar-manager")
    chain.record(update, "C2", by=analyst, values=C2_BREACHED, reasons=WHY, check_done=CHECK_DONE)
    escalation = Escalation.objects.get(service=cedar_court, parent=None)

    expected = (
        "Complete the revised action at Cedar Court, or tell the performance analyst why not: the "
        "update's figures count your service as not completing it in time."
    )
    assert escalation.action == expected
    sign_in(manager)
    page = client.get(f"/escalations/{escalation.pk}/").text
    assert "Affected service" in page
    assert "Weak group" not in page
    assert "Trigger same-day redrafting." not in page
    assert expected.replace("'", "&#x27;") in page


def test_the_affected_service_offers_only_the_services_the_update_is_about(
    client, sign_in, update, analyst, birch_lodge, cedar_court
):
    elsewhere = ServiceFactory(region=birch_lodge.region, name="Willow House")
    step = chain.CASES.step_run_in_force(update, chain.FIGURES_STEP, timezone.now())
    sign_in(analyst)

    page = client.get(step.get_absolute_url()).text

    assert "Birch Lodge</option>" in page and "Cedar Court</option>" in page
    assert elsewhere.name not in page
