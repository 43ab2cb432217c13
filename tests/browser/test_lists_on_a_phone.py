"""A busy provider's lists on a small phone: every row's details stack on the screen, none of them past
the right edge of a table the person would have to scroll sideways."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from escalation.engine import tick
from escalation.models import ChainRun, Escalation
from learning_transfer.choices import CandidateStatus, ReviewOutcome
from learning_transfer.models import ReviewFlag
from learning_transfer.services.review import record_review
from providers.models import User
from tests.browser.conftest import log_in
from tests.browser.screens import OUT_OF_REACH, SPLIT_CELLS

PASSWORD = "lists-on-a-phone-2026"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_quality_directors_escalations_stack_on_a_small_phone(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", password=PASSWORD, stdout=StringIO())
    # A fortnight on with nothing recorded: every open step of the demo is overdue and escalated.
    tick(timezone.now() + timedelta(days=14))
    assert Escalation.objects.count() >= 10

    page = log_in(browser, live_server, "quality.director", PASSWORD, viewport={"width": 320, "height": 800})

    page.goto(reverse("escalation:inbox") + "?show=all")
    rows = page.locator("main tbody tr")
    assert rows.count() >= 3
    # Each escalation's details are labelled on the phone, as the column headers are on a wide screen.
    first = rows.first
    for label in ("Escalation", "Case", "Raised", "Acknowledge by", "State"):
        expect(first.get_by_text(label, exact=True)).to_be_visible()
    assert page.evaluate(OUT_OF_REACH) == []
    assert page.evaluate(SPLIT_CELLS) == []

    # The other lists a fortnight's escalations fill: a case's steps, occurrences and escalations.
    for run in ChainRun.objects.filter(escalations__isnull=False).distinct()[:3]:
        page.goto(reverse("escalation:chain_run", args=[run.pk]))
        assert page.locator("main tbody tr").count() >= 1
        assert page.evaluate(OUT_OF_REACH) == [], run
        assert page.evaluate(SPLIT_CELLS) == [], run

    # The review list with its decisions: a reviewed incident (outcome, who and why) and incidents logged
    # as learning triggers (links to them).
    director = User.objects.get(username="quality.director")
    provider = director.role_assignments.get().provider
    flag = ReviewFlag.objects.filter(decided=False, service__provider=provider).select_related("incident")[0]
    reason = "Handled by the home's own plan"
    record_review(flag.incident, by=director, outcome=ReviewOutcome.LOCAL, reason=reason)
    page.goto(reverse("learning_transfer:review_candidates") + f"?status={CandidateStatus.ALL}")
    expect(page.get_by_text(reason, exact=False)).to_be_visible()
    expect(page.locator("main tbody").get_by_text("Logged as", exact=False).first).to_be_visible()
    assert page.evaluate(OUT_OF_REACH) == []
    assert page.evaluate(SPLIT_CELLS) == []
    page.context.close()
