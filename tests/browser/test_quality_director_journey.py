"""The quality director's journey in a real browser: import incidents, log a serious failure, see the
matched services with their rates and the median, issue notices; the registered manager of a matched
service acknowledges; the nominated individual sees the executive summary's figures change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learning_transfer.models import CareHours, Incident, LearningNotice
from learning_transfer.services.rollup import after_data_saved
from providers.choices import RiskLevel, RiskTag, Role
from tests.browser.conftest import log_in
from tests.factories import ProviderFactory, RegionFactory, ServiceFactory, person_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder, not the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def confirmed():
    """When the failure is confirmed: an hour ago. Every date in the story counts back from it, so the
    rates' 7-day window is the same whenever the test runs, even just after midnight."""
    return timezone.localtime() - timedelta(hours=1)


@pytest.fixture
def oakwood(confirmed):
    """Four residential services with falls in their profile and a week of care hours before today.

    Elm House (the source) 7 falls, Beech Lodge 7, Cedar Court none, Ember Court (medication only,
    so not matched) 14: all over 700 care hours. Ash Grove's 8 falls arrive in the imported file.
    """
    provider = ProviderFactory(name="Oakwood Care Group")
    region = RegionFactory(provider=provider, name="North")
    days = [confirmed.date() - timedelta(days=n) for n in range(1, 8)]
    services = {}
    for name, tags, falls in [
        ("Elm House", [RiskTag.FALLS, RiskTag.MEDICATION], 7),
        ("Ash Grove", [RiskTag.FALLS], 0),
        ("Beech Lodge", [RiskTag.FALLS], 7),
        ("Cedar Court", [RiskTag.FALLS], 0),
        ("Ember Court", [RiskTag.MEDICATION], 14),
    ]:
        service = ServiceFactory(region=region, name=name, tags=tags, risk_level=RiskLevel.HIGH)
        CareHours.objects.bulk_create(CareHours(service=service, day=d, hours=Decimal(100)) for d in days)
        for n in range(falls):
            Incident.objects.create(
                service=service,
                source_reference=f"{name[:3]}-{n}",
                occurred_at=confirmed - timedelta(days=3),
                theme="fall" if RiskTag.FALLS in tags else "medication",
            )
        after_data_saved([service.pk])  # as an import does
        services[name] = service
    manager = person_with_role(Role.REGISTERED_MANAGER, service=services["Ash Grove"], username="ash.manager")
    services["Ash Grove"].registered_manager = manager
    services["Ash Grove"].save()
    person_with_role(Role.QUALITY_DIRECTOR, provider=provider, username="quality")
    person_with_role(Role.NOMINATED_INDIVIDUAL, provider=provider, username="ni")
    return services


def incident_file(tmp_path, service, confirmed):
    when = confirmed - timedelta(days=2)
    rows = [
        f"ASH-{n},{service.cqc_location_id},{when:%Y-%m-%d} 10:{n:02d},fall,low,no,1,Fall" for n in range(8)
    ]
    path = tmp_path / "ecare_export.csv"
    path.write_text(
        "source_reference,service,occurred_at,theme,harm_level,safeguarding_concern,people_affected,"
        "description\n" + "\n".join(rows) + "\n"
    )
    return path


def summary_figure(page, testid):
    return page.get_by_test_id(testid)


def test_quality_director_journey(browser, live_server, oakwood, confirmed, tmp_path):
    quality = log_in(browser, live_server, "quality")

    # Import an incident file.
    quality.goto("/learning/import/")
    quality.get_by_label("What the file holds").select_option(label="Incidents")
    quality.get_by_label("File", exact=True).set_input_files(
        incident_file(tmp_path, oakwood["Ash Grove"], confirmed)
    )
    quality.get_by_role("button", name="Upload and check").click()
    expect(quality.get_by_test_id("import-status")).to_contain_text("8 new")

    # Log the serious failure.
    quality.goto("/learning/triggers/new/")
    quality.get_by_label("Service where it happened").select_option(label="Elm House")
    quality.get_by_label("Title").fill("Unwitnessed fall at night")
    quality.get_by_label("Theme").select_option(label="Fall")
    quality.get_by_role("checkbox", name="Falls").check()
    quality.get_by_label("What happened").fill("A resident fell at 02:10 and was found at 03:40.")
    quality.get_by_label("When the serious failure was confirmed").fill(f"{confirmed:%Y-%m-%dT%H:%M}")
    quality.get_by_label("Learning statement").fill("Night checks follow each resident's falls-risk plan.")
    quality.get_by_role("button", name="Log the failure and find comparable services").click()

    # The matched services with their rates against the provider median, and the A1 decision.
    table = quality.get_by_test_id("matched-services")
    expect(table).to_contain_text("Ash Grove")
    expect(table).to_contain_text("1.14")
    expect(table).to_contain_text("Above median")
    expect(table).to_contain_text("Beech Lodge")
    expect(table).not_to_contain_text("Ember Court")
    expect(quality.get_by_test_id("provider-median")).to_contain_text("1.00")
    expect(quality.get_by_test_id("a1-explanation")).to_contain_text(
        "Mandatory learning must be issued today"
    )

    # Issue the notices.
    quality.get_by_role("button", name="Issue learning notices").click()
    expect(quality.get_by_test_id("pct-received")).to_contain_text("0 of 3 matched services")
    # The decision now reads as done, not as an action still to take.
    expect(quality.get_by_test_id("a1-explanation")).to_contain_text("Learning notices were issued")
    expect(quality.get_by_test_id("a1-explanation")).not_to_contain_text("must be issued today")
    assert LearningNotice.objects.count() == 3

    # The nominated individual's summary before anyone acknowledges.
    ni = log_in(browser, live_server, "ni")
    ni.goto("/learning/summary/")
    expect(summary_figure(ni, "notices-acknowledged")).to_have_text("0 of 3")
    # Inside the 4-hour window nothing is counted as missed yet.
    not_yet = "None due yet; 3 not yet due (window still open)"
    expect(summary_figure(ni, "received-in-time")).to_have_text(not_yet)

    # The registered manager of Ash Grove acknowledges from the dashboard.
    manager = log_in(browser, live_server, "ash.manager")
    expect(manager.get_by_role("heading", name="Learning notices to acknowledge")).to_be_visible()
    manager.get_by_role("button", name="Acknowledge receipt for Ash Grove").click()
    expect(manager.get_by_text("Receipt of the learning for Ash Grove acknowledged.")).to_be_visible()

    # The summary's figures have changed.
    ni.reload()
    expect(summary_figure(ni, "notices-acknowledged")).to_have_text("1 of 3")
    expect(summary_figure(ni, "received-in-time")).to_have_text("1 of 1; 2 not yet due (window still open)")
    expect(ni.get_by_test_id("summary-triggers")).to_contain_text("Unwitnessed fall at night")
