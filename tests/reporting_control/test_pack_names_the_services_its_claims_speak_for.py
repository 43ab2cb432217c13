"""A tester's released CQC pack said "Services covered: none named" while its lines named four homes: the
update was planned without its covered services and nothing warned. The pack now names the services its
claims speak for, as the update's page does. (An update for commissioners covering no services is no
longer planned: test_commissioner_update_reaches_a_commissioner.)"""

import pytest

from reporting_control import services
from reporting_control.choices import Audience, LineKind
from reporting_control.pack_content import pack_content
from reporting_control.packs import render_pack_html
from tests.factories import check_and_sign_off

from .conftest import verify

pytestmark = pytest.mark.django_db


def test_the_pack_names_the_services_its_lines_name(
    plan, compliance_manager, provider_director, birch_lodge, cedar_court, birch_match, cedar_match
):
    verify(birch_match)
    verify(cedar_match)
    update = plan(services_covered=[], audience=Audience.REGULATOR)
    for service in (cedar_court, birch_lodge):
        services.add_line(
            update,
            by=compliance_manager,
            claim=f"{service.name} now checks falls risk at every night round.",
            kind=LineKind.NAMED_SERVICE,
            services=[service],
        )
    check_and_sign_off(update, provider_director)
    services.release_update(update, by=provider_director)
    update.refresh_from_db()

    assert pack_content(update)["services"] == ["Birch Lodge", "Cedar Court"]
    html = render_pack_html(update)
    assert "Services covered: Birch Lodge, Cedar Court" in html
    assert "none named" not in html


def test_the_update_page_names_the_services_its_lines_speak_for(
    client, sign_in, plan, compliance_manager, birch_lodge
):
    """Found: an update's page said it covers "None" while its draft pack named three homes."""
    update = plan(services_covered=[], audience=Audience.REGULATOR)
    services.add_line(
        update,
        by=compliance_manager,
        claim="Birch Lodge now checks falls risk at every night round.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge],
    )
    sign_in(compliance_manager)
    page = client.get(update.get_absolute_url()).text
    covers = page.split('data-testid="update-covers">', 1)[1].split("</dd>", 1)[0]
    assert covers == "None chosen: its lines speak for Birch Lodge, as its evidence pack says"
