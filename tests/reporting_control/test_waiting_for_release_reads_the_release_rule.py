"""A tester's NI dashboard said "RU-0002 … signed off, ready to release" while the update's page refused
release (its figures (C2) not checked yet, later "signed off (C5) before … (C2)"); and once release really
was possible, the update's status still read "Draft: checks to do". The panel and the status now read the
same rule as release itself."""

import pytest
from django.urls import reverse

from providers.choices import Role
from reporting_control import chain
from tests.factories import CHECK_DONE, check_and_sign_off, person_with_role

from .conftest import verify

pytestmark = pytest.mark.django_db

FIGURES = "Check the figures behind each claim (C2)"


@pytest.fixture
def ni(provider):
    return person_with_role(Role.NOMINATED_INDIVIDUAL, provider=provider, username="ni")


def _panel(client) -> str:
    page = client.get(reverse("dashboard", args=[Role.NOMINATED_INDIVIDUAL])).text
    return page.split('data-testid="awaiting-release"', 1)[1].split("</div>\n</div>", 1)[0]


def test_the_panel_says_what_still_stops_a_signed_off_update(
    client, sign_in, ni, update_with_a_line, birch_match, provider_director
):
    verify(birch_match)
    update = update_with_a_line()
    check_and_sign_off(update, provider_director, codes=chain.SIGNED_OFF_AGAINST)  # figures not checked
    sign_in(ni)

    panel = _panel(client)
    assert f"signed off, but: Checks not recorded yet: {FIGURES}." in panel
    assert "ready to release" not in panel

    check_and_sign_off(update, None, codes=[chain.FIGURES_STEP])
    panel = _panel(client)
    assert f"signed off, but: The update was signed off (C5) before {FIGURES}" in panel

    chain.record_sign_off(update, by=provider_director, check_done=CHECK_DONE)
    assert "signed off, ready to release" in _panel(client)


def test_the_update_page_says_ready_to_release_when_it_is(
    client, sign_in, update_with_a_line, birch_match, provider_director
):
    verify(birch_match)
    update = update_with_a_line()
    sign_in(provider_director)
    assert "Ready to release" not in client.get(update.get_absolute_url()).text

    check_and_sign_off(update, provider_director)
    page = client.get(update.get_absolute_url()).text
    assert "Ready to release" in page
    assert "checks to do" not in page
