"""The provider administrator keeps the organisation up to date (its people, roles, working hours,
chain settings and imports) and reaches every service for that, but reads none of the work done there:
no case, clinical check, escalation, notice or matched service."""

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from providers.choices import Role

from .world import NOW

pytestmark = pytest.mark.django_db


def _get(client, url):
    """GET `url` and undo whatever the request changed; the response."""
    with transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)
    return response


def _work_pages(place) -> dict[str, str]:
    objects = place.objects
    return {
        "escalation": reverse("escalation:detail", args=[objects["escalation"].pk]),
        "check": reverse("escalation:step_run", args=[objects["step_run"].pk]),
        "case": reverse("escalation:chain_run", args=[objects["chain_run"].pk]),
        "matched service": reverse("learning_transfer:match_detail", args=[objects["match"].pk]),
        "trigger": reverse("learning_transfer:trigger_detail", args=[objects["trigger"].pk]),
        "deployment": reverse("adoption:deployment_detail", args=[objects["deployment"].pk]),
        "service's checks": reverse("adoption:service", args=[place.s2.pk]),
        # The lists too (found: opened by address, they read empty rather than refused).
        "register": reverse("learning_transfer:trigger_list"),
        "notices": reverse("learning_transfer:notice_list"),
        "every service's checks": reverse("adoption:my_service"),
    }


def test_the_administrator_opens_no_case_check_escalation_or_matched_service(
    world, clients, django_db_blocker
):
    oakwood = world.places["oakwood"]
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        opened = {
            name: _get(clients["provider_administrator"], url).status_code
            for name, url in _work_pages(oakwood).items()
        }
        # The same pages still open for the service's own manager.
        for url in _work_pages(oakwood).values():
            assert _get(clients["registered_manager"], url).status_code == 200, url
    assert {name: status for name, status in opened.items() if status == 200} == {}


def test_the_administrator_keeps_the_organisations_pages(world, clients, django_db_blocker):
    oakwood = world.places["oakwood"]
    pages = [
        reverse("organisation"),
        reverse("service_detail", args=[oakwood.s2.pk]),
        reverse("people"),
        reverse("working_hours"),
        reverse("escalation:chains"),
        reverse("escalation:tune_step", args=["A2"]),
        reverse("learning_transfer:import"),
        reverse("learning_transfer:import_detail", args=[oakwood.objects["job"].pk]),
    ]
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        refused = [url for url in pages if _get(clients["provider_administrator"], url).status_code != 200]
    assert refused == []


def test_the_administrators_dashboard_lists_no_escalations(world, clients, django_db_blocker):
    oakwood = world.places["oakwood"]
    escalation = reverse("escalation:detail", args=[oakwood.objects["escalation"].pk])
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        dashboard = _get(
            clients["provider_administrator"], reverse("dashboard", args=[Role.PROVIDER_ADMINISTRATOR])
        ).text
        inbox = _get(clients["provider_administrator"], reverse("escalation:inbox") + "?show=services").text
    assert "Keep the organisation, people, roles and chain settings up to date." in dashboard
    assert "Open escalations" not in dashboard
    assert "Escalations others act on" not in dashboard
    assert "done by others" not in dashboard
    assert escalation not in inbox
