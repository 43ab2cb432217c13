"""The registered manager's journey in a real browser (journey 2, chain B).

Elm House's manager logs in on Thursday 26 November 2026 at 08:00. Learning from a missed insulin dose
at Birch Lodge went live at Elm House on Monday at 09:00; a second learning notice (a night-time fall)
arrived at 07:00. The manager acknowledges the new notice from the dashboard with the keyboard,
opens Adoption, sees earlier days' checks overdue and B5 due at 09:36 (open since the night shift
ended at 07:30), records B5 (first leaving a measure empty, which the NHS.UK error summary points at),
sees the breach with its numbers, and finds another provider's service closed to them.
"""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from adoption import chain as adoption_chain
from adoption import services as adoption
from escalation.models import Escalation, StepRecord
from learning_transfer import services as learning
from learning_transfer.choices import IncidentTheme
from learning_transfer.models import LearningNotice
from providers.calendar import LONDON
from providers.choices import RiskTag, Role
from tests.browser.conftest import log_in
from tests.factories import (
    ProviderFactory,
    RegionFactory,
    ServiceFactory,
    ShiftPatternFactory,
    person_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UK wall time in November 2026; `at(23, 9)` is Monday 23 November, 09:00."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


NOW = at(26, 8)  # Thursday, before B5 falls due: it opened when the third monitored shift ended


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder, not the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def clock(time_machine):
    """The live server runs in this process, so it sees the same Thursday morning. The clock keeps
    ticking so the browser's timers and the server's timestamps still move forward."""
    time_machine.move_to(NOW, tick=True)


@pytest.fixture
def oakwood():
    """Oakwood's Elm House (three shifts, its registered manager) matched to learning from Birch Lodge,
    an operations director and quality director above it, and a service of another provider."""
    provider = ProviderFactory(name="Oakwood Care Group")
    region = RegionFactory(provider=provider, name="North")
    tags = [RiskTag.FALLS, RiskTag.MEDICATION]
    birch = ServiceFactory(region=region, name="Birch Lodge", tags=tags)
    elm = ServiceFactory(region=region, name="Elm House", tags=tags)
    for name, start, end in (
        ("early", "07:00", "15:00"),
        ("late", "14:00", "22:00"),
        ("night", "21:30", "07:30"),
    ):
        ShiftPatternFactory(service=elm, name=name, start=start, end=end)
    manager = person_with_role(
        Role.REGISTERED_MANAGER, service=elm, username="elm.manager", first_name="Priya", last_name="Shah"
    )
    elm.registered_manager = manager
    elm.save()
    faraway = ServiceFactory(name="Faraway Manor", region__provider__name="Faraway Care Ltd")
    return {
        "provider": provider,
        "birch": birch,
        "elm": elm,
        "faraway": faraway,
        "manager": manager,
        "quality": person_with_role(Role.QUALITY_DIRECTOR, provider=provider, username="quality"),
        "operations": person_with_role(Role.OPERATIONS_DIRECTOR, provider=provider, username="operations"),
    }


def log_learning(people, *, title, theme, tag, confirmed_at):
    """The quality director logs a serious failure at Birch Lodge and issues the learning to Elm House."""
    trigger = learning.log_trigger(
        by=people["quality"],
        source_service=people["birch"],
        title=title,
        theme=theme,
        risk_tags=[tag],
        what_happened=f"{title} at Birch Lodge.",
        confirmed_at=confirmed_at,
        now=confirmed_at + timedelta(minutes=20),
        learning_statement=f"Every home checks its process after: {title.lower()}.",
    )
    (notice,) = learning.issue_notices(trigger, by=people["quality"], now=confirmed_at + timedelta(hours=1))
    assert notice.matched_service.service == people["elm"] and notice.owner == people["manager"]
    return notice


@pytest.fixture
def deployed(oakwood):
    """Insulin learning: issued on Monday 16th, acknowledged, lead confirmed, live at Elm House since
    Monday 23rd 09:00 (chain B running). Falls learning: issued at 07:00 today, not yet acknowledged."""
    manager = oakwood["manager"]
    insulin = log_learning(
        oakwood,
        title="Missed insulin dose",
        theme=IncidentTheme.MEDICATION,
        tag=RiskTag.MEDICATION,
        confirmed_at=at(16, 10),
    )
    learning.acknowledge_notice(insulin, by=manager, now=at(16, 11, 30))
    match = insulin.matched_service
    learning.confirm_lead(match, person=manager, by=oakwood["operations"], now=at(17, 9))
    deployment = adoption.deploy_learning(
        match,
        by=manager,
        deployed_at=at(23, 9),
        baseline_completion_pct=80,
        baseline_omissions_per_100=2,
        baseline_wound_care_pct=88,
        baseline_risk_note_pct=90,
        baseline_drill_pct=85,
        deploy_anyway=True,  # leads are given their roles after, as the story goes
    )
    falls = log_learning(
        oakwood,
        title="Unwitnessed fall at night",
        theme=IncidentTheme.FALL,
        tag=RiskTag.FALLS,
        confirmed_at=at(26, 6),
    )
    return {"deployment": deployment, "falls_notice": falls}


def shown(step_run):
    """A check's link and heading text: its plain name, then its code as a small label."""
    return f"{step_run.name} {step_run.code}"


def check_row(page, name):
    """The row of the adoption checks table whose check link is exactly `name`."""
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def test_registered_manager_journey(browser, live_server, oakwood, deployed):
    b5 = adoption_chain.run_for(deployed["deployment"]).step_runs.get(code="B5")
    assert b5.due_at == at(26, 9, 36)  # the third working day after Monday's go-live
    page = log_in(browser, live_server, "elm.manager")

    # The dashboard: the new learning notice waits to be acknowledged.
    expect(page).to_have_url(f"{live_server.url}/dashboard/registered_manager/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registered Manager")
    expect(page.get_by_role("heading", name="Learning notices to acknowledge")).to_be_visible()
    notice_card = page.locator(".nhsuk-card").filter(has_text="Learning notices to acknowledge")
    expect(notice_card).to_contain_text("Unwitnessed fall at night")
    # Acknowledged last week: not asked again, but kept as learning still to put in place.
    expect(notice_card.locator("form").filter(has_text="Missed insulin dose")).to_have_count(0)
    expect(notice_card.get_by_role("listitem").filter(has_text="Missed insulin dose")).to_contain_text(
        "Still to do: complete the mandatory briefing"
    )
    checks_card = page.locator(".nhsuk-card").filter(has_text="Due and overdue adoption checks")
    expect(checks_card.get_by_role("heading", level=2)).to_have_text(
        "Due and overdue adoption checks at your service"
    )
    expect(checks_card).to_contain_text(
        "Check clinical records follow the change B2 at Elm House, due Mon 23 Nov 2026, 14:16"
    )
    # B2 is the clinical lead's to record: the manager is told whom it waits for.
    expect(checks_card.locator(".nhsuk-tag").filter(has_text="Overdue — waiting for").first).to_be_visible()

    # Acknowledge it with the keyboard.
    acknowledge = page.get_by_role("button", name="Acknowledge receipt for Elm House")
    acknowledge.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Receipt of the learning for Elm House acknowledged.")).to_be_visible()
    expect(notice_card).to_contain_text("No notices waiting for you.")
    notice = LearningNotice.objects.get(pk=deployed["falls_notice"].pk)
    assert notice.acknowledged_by == oakwood["manager"]
    assert NOW <= notice.acknowledged_at < NOW + timedelta(minutes=5)

    # The notice list shows it acknowledged.
    page.get_by_role("link", name="All learning notices for your services").click()
    falls_row = (
        page.get_by_test_id("notice-list").get_by_role("row").filter(has_text="Unwitnessed fall at night")
    )
    expect(falls_row).to_contain_text("Acknowledged")
    expect(falls_row.get_by_role("button")).to_have_count(0)

    # Adoption: every chain B check at Elm House, overdue ones first, B5 due at 09:36. The header's
    # script may still be fitting the menu to the width on a busy machine: the click waits for it.
    page.wait_for_load_state("networkidle")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Adoption").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adoption checks at your services")
    expect(check_row(page, "Check staff can carry out the new procedure B3")).to_contain_text("Overdue")
    b5_row = check_row(page, shown(b5))
    expect(b5_row).to_contain_text("Thu 26 Nov 2026, 09:36")
    expect(b5_row).to_contain_text("Registered Manager")
    expect(b5_row.locator(".nhsuk-tag")).to_have_text("Due — record it by the deadline")
    expect(page.get_by_role("link", name=shown(b5), exact=True)).to_have_count(1)

    # Open B5: nothing to pre-fill for it, so leave one measure empty and submit.
    b5_row.get_by_role("link", name=shown(b5), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(shown(b5))
    expect(page.get_by_role("heading", name="Record this step")).to_be_visible()
    within_target = page.get_by_label(
        "What % of tasks done the new way were finished within the target time?"
    )
    failures = page.get_by_label(
        "Over the last 3 monitored shifts, how many repeated failures to follow the new way were there?"
    )
    impact = page.get_by_label(
        "How many times were residents affected because staff had not taken up the new way?"
    )
    for field in (within_target, failures, impact):
        expect(field).to_have_value("")
    failures.fill("4")
    impact.fill("1")
    page.get_by_label("Check done").fill("Reviewed the 3-shift dataset against the post-learning baseline.")
    page.get_by_role("button", name="Save the check").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()  # NHS.UK frontend moves focus there, so a screen reader reads it first
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    error_link = summary.get_by_role(
        "link",
        name="Enter an answer to “What % of tasks done the new way were finished within the target time?”.",
    )
    expect(error_link).to_have_attribute("href", "#id_pct_tasks_within_target")
    expect(failures).to_have_value("4")  # what was typed is kept
    error_link.click()
    expect(within_target).to_be_focused()
    assert not StepRecord.objects.filter(step_run=b5).exists()

    # Fill it in and save: 88 % within target is below 91 %, so B5 breaches and escalates.
    within_target.fill("88")
    page.get_by_role("button", name="Save the check").click()
    saved = "Confirm the change has lasted (B5) recorded: threshold breached, escalation raised."
    expect(page.get_by_text(saved)).to_be_visible()
    result = page.locator(".nhsuk-warning-callout").filter(has_text="Threshold breached")
    expect(result).to_contain_text("88")
    expect(result).to_contain_text("91")
    expect(result).to_contain_text("Operations Director")
    values = page.get_by_role("table", name="Recorded values")
    expect(values).to_contain_text("88")
    expect(values).to_contain_text("4")
    record = StepRecord.objects.get(step_run=b5, is_current=True)
    assert record.breached and record.recorded_by == oakwood["manager"]
    assert record.values == {
        "pct_tasks_within_target": 88,
        "adoption_failures_3_shifts": 4,
        "resident_impact_events": 1,
    }
    escalation = Escalation.objects.get(step_run=b5)
    assert escalation.target_role == Role.OPERATIONS_DIRECTOR

    # Back on Adoption, B5 is no longer among the open checks; under "Recorded" it shows as breached.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Adoption").click()
    expect(page.get_by_role("link", name=shown(b5), exact=True)).to_have_count(0)
    page.get_by_label("Show checks").select_option("recorded")
    page.get_by_role("button", name="Show").click()
    b5_row = check_row(page, shown(b5))
    # The breach says what it means and what to do next, in B5's own words.
    expect(b5_row.locator(".nhsuk-tag")).to_have_text(b5.breach_status)

    # Another provider's service is closed to the manager.
    response = page.goto(reverse("adoption:service", args=[oakwood["faraway"].pk]))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text("Faraway Manor")
    response = page.goto(reverse("service_detail", args=[oakwood["faraway"].pk]))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text("Faraway Manor")
