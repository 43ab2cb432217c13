"""The Nominated Individual's dashboard lists the updates waiting for release: signed off for issue (C5)
and not yet released, and those held with what holds them; newest first, at most five, in a fixed
number of queries however many there are."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags

from providers.choices import Role
from reporting_control import services
from tests.factories import check_and_sign_off, person_with_role

from .conftest import next_issue_at, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def ni(provider):
    return person_with_role(Role.NOMINATED_INDIVIDUAL, provider=provider, username="ni")


def _panel(page: str) -> str:
    return page.split('data-testid="awaiting-release"', 1)[1].split("</div>\n</div>", 1)[0]


def _dashboard(client):
    return client.get(reverse("dashboard", args=[Role.NOMINATED_INDIVIDUAL])).text


def test_signed_off_and_held_updates_are_listed_with_what_holds_them(
    client, sign_in, ni, update_with_a_line, birch_match, provider_director, compliance_manager
):
    verify(birch_match)
    ready = update_with_a_line(title="Ready for the council")
    check_and_sign_off(ready, provider_director)
    held = update_with_a_line(title="Held for the ICB", issue_at=next_issue_at(15))
    services.place_hold(held, by=compliance_manager, reason="Figures disputed by the ICB.")
    update_with_a_line(title="Still a draft", issue_at=next_issue_at(16))

    sign_in(ni)
    panel = _panel(_dashboard(client))

    assert ready.get_absolute_url() in panel and "signed off, ready to release" in panel
    assert held.get_absolute_url() in panel and "Figures disputed by the ICB." in panel
    assert "Still a draft" not in panel
    assert panel.index("Held for the ICB") < panel.index("Ready for the council")  # newest first


def test_the_panel_shows_five_and_counts_the_rest_in_fixed_queries(
    client, sign_in, ni, update_with_a_line, compliance_manager, django_assert_max_num_queries
):
    def hold_one(day):
        update = update_with_a_line(title=f"Update {day}", issue_at=next_issue_at(14 + day))
        services.place_hold(update, by=compliance_manager, reason=f"Query {day}.")

    sign_in(ni)
    hold_one(0)
    _dashboard(client)  # warm the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        _dashboard(client)
    for day in range(1, 8):
        hold_one(day)
    with django_assert_max_num_queries(len(one)):
        page = _dashboard(client)

    panel = _panel(page)
    assert panel.count("<li>") == 5
    assert "And 3 more" in panel and reverse("reporting_control:update_list") in panel


@pytest.mark.parametrize(
    "total, held, said",
    [
        (1, 1, "1 update not yet released: it is held."),
        (3, 1, "3 updates not yet released: 1 of them held."),
        (2, 2, "2 updates not yet released: all are held."),
        (2, 0, "2 updates not yet released."),
    ],
)
def test_the_updates_card_counts_held_updates_among_the_unreleased(total, held, said):
    """Found: "1 update not yet released, 1 held" read as two updates; it was the one, held."""
    card = render_to_string(
        "reporting_control/panels/updates.html", {"panel": {"update_total": total, "held_total": held}}
    )
    assert said in " ".join(strip_tags(card).split())
