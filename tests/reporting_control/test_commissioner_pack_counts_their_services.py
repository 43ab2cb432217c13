"""A tester's ICB pack (holding only the ICB's services) started at "Line 2", said "Issued to 3 comparable
services: 1 verified, 2 not verified yet" though none of the three was an ICB service, and printed the
internal status "Released — the evidence pack can be shared". A commissioner's pack now says which line of
the update each is, counts the learning's reach among the reader's services (the provider-wide count
only as labelled context), and a released pack prints no internal status."""

import pytest

from reporting_control import services
from reporting_control.choices import LineKind
from reporting_control.packs import render_pack_html
from tests.factories import CommissionerFactory, check_and_sign_off

from .conftest import verify

pytestmark = pytest.mark.django_db


def test_a_commissioner_pack_speaks_of_the_readers_services(
    plan, compliance_manager, provider_director, birch_lodge, cedar_court, birch_match, cedar_match
):
    icb = CommissionerFactory(name="Northshire Integrated Care Board")
    icb.services.add(cedar_court)
    verify(birch_match)
    verify(cedar_match)
    update = plan()
    for service in (birch_lodge, cedar_court):
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

    html = render_pack_html(update, icb)
    assert "Line 2 of the update · Named-service outcome" in html
    assert "Of your services, 1 was issued this learning: 1 verified, 0 not verified yet." in html
    assert "Provider-wide context, not only your services: issued to 2 comparable services" in html
    assert "Issued to 2 comparable" not in html
    assert "can be shared" not in html and "status:" not in html
