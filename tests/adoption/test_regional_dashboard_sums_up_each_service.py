"""Tester 16 (L3): the Deputy Regional Manager's dashboard listed only their own regional check (A4);
a service in their region with 12 adoption checks overdue showed only under More → Adoption. The
dashboard now sums up the open adoption checks at each service of the region, as the adoption page does."""

import pytest
from django.urls import reverse

from escalation import engine
from providers.choices import Role

from .conftest import at, deploy

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("dashboard", args=[Role.DEPUTY_REGIONAL_MANAGER])


def summary_of(page: str) -> str:
    return page.split('data-testid="region-adoption">', 1)[1].split("</table>", 1)[0]


def test_the_region_s_services_are_summed_up_with_their_overdue_checks(
    client, sign_in, match, people, elm_house, time_machine
):
    deploy(match, people.registered_manager)
    time_machine.move_to(at(26, 12), tick=False)
    engine.tick(at(26, 12))
    sign_in(people.deputy_regional_manager)
    page = client.get(DASHBOARD).text
    table = summary_of(page)
    assert elm_house.name in table
    assert reverse("adoption:service", args=[elm_house.pk]) in table
    assert "nhsuk-tag--red" in table  # its overdue checks, in red with their number
