"""The commissioner's journey in a real browser (journey 4, chain C).

Oakwood learned from a night-time fall at Elm House and verified the change at Birch Lodge and Cedar
Court. Lancashire County Council commissions Birch Lodge, Manchester City Council Cedar Court. Three
updates are built through the business actions: one about both homes, released, which issues a pack to
each council; a second about Birch Lodge, held by the compliance manager (a draft pack was built before
the hold); and one to Manchester City Council about Cedar Court, released. The county's commissioner
logs in, sees only its own pack of the first update, downloads the PDF, which names Birch Lodge and not
Cedar Court, and finds every staff page closed.
"""

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from learning_transfer import services as learning
from learning_transfer.choices import IncidentTheme
from providers.calendar import LONDON
from providers.choices import RiskTag, Role
from reporting_control import services
from reporting_control.choices import Audience, LineKind, PackStatus, UpdateStatus
from reporting_control.models import EvidencePack
from tests.browser.conftest import log_in
from tests.factories import (
    CommissionerFactory,
    ProviderFactory,
    RegionFactory,
    ServiceFactory,
    check_and_sign_off,
    person_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
RELEASED = "Night-time falls: assurance to commissioners"
HELD = "Night-time falls: quarterly return to Lancashire County Council"
OTHER_COMMISSIONERS = "Night-time falls: assurance to Manchester City Council"


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UK wall time in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence packs go to a temporary folder, not the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def clock(time_machine):
    """Monday 23 November 2026, 09:30, for the data and the live server alike; still ticking."""
    time_machine.move_to(at(11, 23, 9, 30), tick=True)


@pytest.fixture
def oakwood():
    provider = ProviderFactory(name="Oakwood Care Group")
    region = RegionFactory(provider=provider, name="North")
    services_ = {
        name: ServiceFactory(region=region, name=name, tags=[RiskTag.FALLS])
        for name in ("Elm House", "Birch Lodge", "Cedar Court")
    }
    for name in ("Birch Lodge", "Cedar Court"):
        service = services_[name]
        service.registered_manager = person_with_role(
            Role.REGISTERED_MANAGER, service=service, username=f"{name.split()[0].lower()}.manager"
        )
        service.save()
    people = {
        role: person_with_role(role, provider=provider, username=role.value)
        for role in (
            Role.QUALITY_DIRECTOR,
            Role.OPERATIONS_DIRECTOR,
            Role.COMPLIANCE_MANAGER,
            Role.PROVIDER_DIRECTOR,
        )
    }
    councils = {}
    for name, service, username in [
        ("Lancashire County Council", "Birch Lodge", "lancashire"),
        ("Manchester City Council", "Cedar Court", "manchester"),
    ]:
        council = councils[username] = CommissionerFactory(name=name)
        council.services.add(services_[service])
        person_with_role(Role.COMMISSIONER, provider=provider, commissioner=council, username=username)
    return {"provider": provider, "people": people, "councils": councils, **services_}


@pytest.fixture
def trigger(oakwood):
    """The fall at Elm House, learning issued and acknowledged, implementation verified at both homes."""
    people = oakwood["people"]
    quality, operations = people[Role.QUALITY_DIRECTOR], people[Role.OPERATIONS_DIRECTOR]
    confirmed = at(11, 2, 10)
    trigger = learning.log_trigger(
        by=quality,
        source_service=oakwood["Elm House"],
        title="Unwitnessed night-time fall",
        theme=IncidentTheme.FALL,
        risk_tags=[RiskTag.FALLS],
        what_happened="A resident fell at 02:10 and was found at 03:40.",
        confirmed_at=confirmed,
        now=confirmed + timedelta(minutes=20),
        learning_statement="Night checks follow each resident's falls-risk plan.",
    )
    notices = learning.issue_notices(trigger, by=quality, now=confirmed + timedelta(hours=1))
    assert {n.matched_service.service.name for n in notices} == {"Birch Lodge", "Cedar Court"}
    for notice in notices:
        manager = notice.owner
        match = notice.matched_service
        learning.acknowledge_notice(notice, by=manager, now=confirmed + timedelta(hours=2))
        learning.confirm_lead(match, person=manager, by=operations, now=at(11, 3, 9))
        learning.update_exposure(match, by=operations, briefing_completed_at=at(11, 4, 15), now=at(11, 4, 15))
        line = learning.add_line(
            match,
            by=operations,
            task="Night checks follow the falls-risk plan",
            owner=manager,
            due_at=at(11, 4, 17),
        )
        learning.complete_line(line, by=manager, now=at(11, 4, 16))
        # Verified before the notices' implementation was due: the figures check (C2) finds every
        # service completing in time, so a release is not held back by a breached C2.
        learning.confirm_implementation(match, by=operations, now=at(11, 5, 9))
    return trigger


def planned(oakwood, trigger, title, *covered):
    """An update about named services, one line each, evidenced by their verified implementation."""
    compliance = oakwood["people"][Role.COMPLIANCE_MANAGER]
    update = services.plan_update(
        by=compliance,
        provider=oakwood["provider"],
        title=title,
        audience=Audience.COMMISSIONER,
        issue_at=at(12, 7, 10),
        triggers=[trigger],
        services=covered,
    )
    for service in covered:
        services.add_line(
            update,
            by=compliance,
            kind=LineKind.NAMED_SERVICE,
            claim=f"{service} follows each resident's falls-risk plan at every night check, verified.",
            services=[service],
        )
    return update


def released(oakwood, trigger, title, *covered):
    """Signed off by the Provider Director (C5) and released; the packs are built after the commit.
    Returns the update and its packs by commissioner (None: the provider's full pack)."""
    director = oakwood["people"][Role.PROVIDER_DIRECTOR]
    update = planned(oakwood, trigger, title, *covered)
    check_and_sign_off(update, director)
    assert services.release_update(update, by=director)
    packs = {pack.commissioner: pack for pack in EvidencePack.objects.filter(update=update, for_release=True)}
    assert {pack.status for pack in packs.values()} == {PackStatus.READY}
    return update, packs


@pytest.fixture
def updates(oakwood, trigger):
    compliance = oakwood["people"][Role.COMPLIANCE_MANAGER]
    county, city = oakwood["councils"]["lancashire"], oakwood["councils"]["manchester"]
    _, both = released(oakwood, trigger, RELEASED, oakwood["Birch Lodge"], oakwood["Cedar Court"])
    assert set(both) == {None, county, city}, "the provider's full pack and one per council"
    held = planned(oakwood, trigger, HELD, oakwood["Birch Lodge"])
    draft_pack = services.request_pack(held, by=compliance)
    services.place_hold(held, by=compliance, reason="The quarter's figures are not yet checked.")
    _, city_only = released(oakwood, trigger, OTHER_COMMISSIONERS, oakwood["Cedar Court"])
    draft_pack.refresh_from_db()
    assert draft_pack.status == PackStatus.READY and held.status == UpdateStatus.HELD
    return {
        "pack": both[county],
        "out_of_reach": [both[None], both[city], draft_pack, city_only[city], city_only[None]],
    }


def test_commissioner_journey(browser, live_server, oakwood, updates):
    page = log_in(browser, live_server, "lancashire")

    # The commissioner lands on the packs page: only the released update of a service they commission.
    expect(page).to_have_url(f"{live_server.url}/reporting/packs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence packs")
    expect(page.locator("main")).to_contain_text("Birch Lodge (Oakwood Care Group)")
    expect(page.locator("main")).not_to_contain_text("Cedar Court")
    table = page.get_by_test_id("commissioner-packs")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(RELEASED)
    expect(rows.first).to_contain_text("Oakwood Care Group")
    expect(rows.first).to_contain_text("Birch Lodge")
    expect(rows.first).to_contain_text("Mon 23 Nov 2026, 09:")  # released this morning
    expect(table).not_to_contain_text(HELD)
    expect(table).not_to_contain_text(OTHER_COMMISSIONERS)

    # On a small phone each pack stacks as a list of its details: its download link is on the screen,
    # not past the right edge of a table the commissioner has to scroll sideways.
    viewport = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    box = page.get_by_role("link", name=f"Download PDF for {RELEASED}").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    page.set_viewport_size(viewport)

    # Download the PDF.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download PDF for {RELEASED}").click()
    download = download_info.value
    assert download.failure() is None
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    pack = updates["pack"]
    assert download.suggested_filename == pack.download_name
    assert hashlib.sha256(data).hexdigest() == pack.sha256
    text = "".join(page.extract_text() for page in PdfReader(download.path()).pages)
    assert "Prepared for: Lancashire County Council" in text
    assert "Birch Lodge" in text and "Cedar Court" not in text, "only the services the county commissions"
    # The page shows the fingerprint the commissioner checks the downloaded file against.
    expect(page.get_by_test_id("pack-sha256")).to_have_text(hashlib.sha256(data).hexdigest())

    # The other packs stay out of reach even by their addresses.
    for other in updates["out_of_reach"]:
        response = page.goto(f"/reporting/packs/{other.pk}/download/")
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")

    # Staff pages are closed, and the navigation offers none of them.
    for url in ("/learning/", "/escalations/", "/adoption/", "/reporting/", "/organisation/"):
        response = page.goto(url)
        assert response.status == 403, url
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
        expect(page).to_have_title("You cannot open this page – Learning-transfer governance")
    menu = page.get_by_role("navigation", name="Menu").get_by_role("link")
    expect(menu).to_have_text(["Dashboard", "Evidence packs"])
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="My escalations")).to_have_count(0)
    expect(account.get_by_role("button", name="Log out")).to_be_visible()

    # "Dashboard" takes the commissioner back to the packs.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(f"{live_server.url}/reporting/packs/")
