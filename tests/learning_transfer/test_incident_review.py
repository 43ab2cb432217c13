"""The quality director records why a flagged incident needs no learning trigger, and it leaves the list
of incidents awaiting a review decision (but stays on record under 'reviewed')."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learning_transfer.choices import CandidateStatus, HarmLevel, ReviewOutcome
from learning_transfer.models import IncidentReview
from learning_transfer.services import log_trigger, record_review
from learning_transfer.services.review import review_candidates
from providers.choices import Role
from tests.accessibility import assert_accessible
from tests.factories import person_with_role

from .conftest import LONDON, add_incidents

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=LONDON)
LIST = "/learning/review/"
REASON = "Bed rails refitted the same day; the other homes use a different bed model."


def recent_incidents(service, count, prefix):
    """Serious-harm incidents two days ago, so the pages (which use the real clock) flag them."""
    day = timezone.localdate() - timedelta(days=2)
    return add_incidents(service, count, day=day, prefix=prefix, harm_level=HarmLevel.SEVERE)


def review_url(incident):
    return reverse("learning_transfer:incident_review", args=[incident.pk])


def post_review(client, incident, outcome=ReviewOutcome.LOCAL, reason=REASON):
    return client.post(review_url(incident), {"outcome": outcome, "reason": reason}, follow=True)


def trigger_from(incident, by):
    """Log a learning trigger from the incident, as the quality director does from the list."""
    return log_trigger(
        by=by,
        source_service=incident.service,
        source_incident=incident,
        title=f"Fall with fracture ({incident.source_reference})",
        theme=incident.theme,
        risk_tags=["falls"],
        what_happened="A resident fell.",
        confirmed_at=incident.occurred_at + timedelta(days=1),
        now=incident.occurred_at + timedelta(days=1, hours=1),
    )


def refs(user, status):
    candidates, total = review_candidates(user, now=NOW, status=status)
    return {c.incident.source_reference for c in candidates}, total


def test_recording_an_outcome_takes_the_incident_off_the_awaiting_list_and_the_dashboard(
    client, sign_in, quality_director, elm_house
):
    reviewed, waiting = recent_incidents(elm_house, 2, prefix="elm")
    sign_in(quality_director)
    dashboard = reverse("dashboard", args=[Role.QUALITY_DIRECTOR])
    assert "2 incidents awaiting a review decision" in client.get(dashboard).text
    assert review_url(reviewed) in client.get(LIST).text  # each awaiting row offers the review

    page = post_review(client, reviewed).text

    assert "Review outcome recorded for elm-0" in page
    assert "1 incident awaiting a review decision" in page
    assert review_url(reviewed) not in page and review_url(waiting) in page
    assert "1 incident awaiting a review decision" in client.get(dashboard).text
    decided = client.get(LIST, {"status": CandidateStatus.REVIEWED}).text
    assert "1 incident reviewed or logged as a trigger" in decided
    assert ReviewOutcome.LOCAL.label in decided and escape(REASON) in decided
    assert escape(quality_director.get_full_name()) in decided
    review = IncidentReview.objects.get(incident=reviewed)
    assert review.history.get().history_user == quality_director  # the decision is audited


def test_the_list_separates_awaiting_from_reviewed_and_triggered_incidents(quality_director, elm_house):
    reviewed, triggered, waiting = add_incidents(elm_house, 3, prefix="elm", harm_level=HarmLevel.DEATH)
    record_review(
        reviewed, by=quality_director, outcome=ReviewOutcome.NO_ACTION, reason="Expected death.", now=NOW
    )
    trigger_from(triggered, quality_director)
    assert refs(quality_director, CandidateStatus.AWAITING) == ({"elm-2"}, 1)
    assert refs(quality_director, CandidateStatus.REVIEWED) == ({"elm-0", "elm-1"}, 2)
    assert refs(quality_director, CandidateStatus.ALL) == ({"elm-0", "elm-1", "elm-2"}, 3)
    assert review_candidates(quality_director, now=NOW)[1] == 1  # awaiting is the default


def test_a_reviewed_incident_still_counts_towards_a_repeat(quality_director, elm_house):
    first, _ = add_incidents(elm_house, 2, prefix="fall", people_affected=2)
    record_review(first, by=quality_director, outcome=ReviewOutcome.LOCAL, reason=REASON, now=NOW)
    add_incidents(elm_house, 1, day=date(2026, 11, 13), prefix="third")  # the third fall in 28 days
    assert refs(quality_director, CandidateStatus.AWAITING)[0] == {"fall-1", "third-0"}


def test_the_reason_is_required_and_shown_in_the_error_summary(client, sign_in, quality_director, elm_house):
    [incident] = recent_incidents(elm_house, 1, prefix="elm")
    sign_in(quality_director)
    response = post_review(client, incident, reason="   ")
    assert response.status_code == 200
    page = response.text
    assert "There is a problem" in page
    assert '<a href="#id_reason">Give the reason no provider learning trigger is needed.</a>' in page
    assert_accessible(page)
    no_outcome = client.post(review_url(incident), {"reason": REASON}).text
    assert '<a href="#id_outcome_0">Choose the outcome of the review.</a>' in no_outcome
    assert not IncidentReview.objects.exists()
    assert refs(quality_director, CandidateStatus.AWAITING)[1] == 1


def test_a_double_submit_saves_one_review_and_says_so(client, sign_in, quality_director, elm_house):
    [incident] = recent_incidents(elm_house, 1, prefix="elm")
    sign_in(quality_director)
    post_review(client, incident)
    again = post_review(client, incident).text
    assert IncidentReview.objects.count() == 1
    assert "The review outcome for elm-0 was already recorded by" in again
    assert "Nothing was changed." in again
    with pytest.raises(ValidationError, match="already recorded"):
        record_review(incident, by=quality_director, outcome=ReviewOutcome.NO_ACTION, reason="Again.")
    assert IncidentReview.objects.get().outcome == ReviewOutcome.LOCAL  # the first decision stands


def test_an_incident_logged_as_a_trigger_cannot_be_given_a_review(
    client, sign_in, quality_director, elm_house
):
    [incident] = recent_incidents(elm_house, 1, prefix="elm")
    trigger = trigger_from(incident, quality_director)
    with pytest.raises(ValidationError, match=f"logged as learning trigger {trigger.reference}"):
        record_review(incident, by=quality_director, outcome=ReviewOutcome.LOCAL, reason=REASON)
    sign_in(quality_director)
    page = client.get(review_url(incident)).text
    assert f'logged as learning trigger <a href="/learning/triggers/{trigger.pk}/">' in page
    assert "Record the review outcome</button>" not in page
    refused = post_review(client, incident).text
    assert "so it needs no separate review outcome" in refused
    assert not IncidentReview.objects.exists()


def test_a_registered_manager_cannot_record_a_review(client, registered_manager, elm_house):
    [incident] = recent_incidents(elm_house, 1, prefix="elm")
    client.force_login(registered_manager)
    assert client.get(review_url(incident)).status_code == 403
    assert client.post(review_url(incident), {"outcome": "local", "reason": REASON}).status_code == 403
    with pytest.raises(PermissionDenied):
        record_review(incident, by=registered_manager, outcome=ReviewOutcome.LOCAL, reason=REASON)
    assert not IncidentReview.objects.exists()


def test_another_providers_quality_director_finds_nothing(client, sign_in, elm_house, other_provider_service):
    [incident] = recent_incidents(elm_house, 1, prefix="elm")
    outsider = person_with_role(Role.QUALITY_DIRECTOR, provider=other_provider_service.provider)
    sign_in(outsider)
    assert client.get(review_url(incident)).status_code == 404
    assert client.post(review_url(incident), {"outcome": "local", "reason": REASON}).status_code == 404
    with pytest.raises(PermissionDenied):
        record_review(incident, by=outsider, outcome=ReviewOutcome.LOCAL, reason=REASON)
    assert not IncidentReview.objects.exists()


def test_the_review_page_shows_why_the_incident_was_flagged_and_is_accessible(
    client, sign_in, quality_director, elm_house
):
    day = timezone.localdate() - timedelta(days=2)
    [incident] = add_incidents(
        elm_house, 1, day=day, prefix="elm", safeguarding_concern=True, description="Bruising found."
    )
    sign_in(quality_director)
    page = client.get(review_url(incident)).text
    assert "Safeguarding concern" in page and "Bruising found." in page and "Elm House" in page
    assert ReviewOutcome.LOCAL.label in page and ReviewOutcome.NO_ACTION.label in page
    assert_accessible(page)
    post_review(client, incident)
    recorded = client.get(review_url(incident)).text  # now shows the decision instead of the form
    assert "Review outcome recorded" in recorded and escape(REASON) in recorded
    assert_accessible(recorded)
    assert_accessible(client.get(LIST, {"status": CandidateStatus.REVIEWED}).text)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.text


def flag_and_decide(service, numbers, by):
    """Flagged incidents numbered `numbers`: a third reviewed, a third logged as triggers, a third waiting."""
    for n in numbers:
        [incident] = recent_incidents(service, 1, prefix=f"row{n}")
        if n % 3 == 0:
            record_review(incident, by=by, outcome="local", reason=f"Reason {n}", now=NOW)
        elif n % 3 == 1:
            trigger_from(incident, by)


def test_the_candidates_page_queries_do_not_grow_with_rows(client, sign_in, quality_director, elm_house):
    sign_in(quality_director)
    url = f"{LIST}?status=all"
    flag_and_decide(elm_house, range(5), quality_director)
    queries_for(client, url)  # warm caches (content types, sessions) so both counts compare alike
    with_five, _ = queries_for(client, url)
    flag_and_decide(elm_house, range(5, 50), quality_director)
    with_fifty, page = queries_for(client, url)
    assert with_five == with_fifty
    assert "50 incidents meet a review threshold" in page
    assert "Reason 48" in page and "row49-0" in page


def test_a_bad_decision_filter_is_shown_as_an_error(client, sign_in, quality_director):
    sign_in(quality_director)
    page = client.get(f"{LIST}?status=nope").text
    assert "There is a problem" in page and 'href="#id_status"' in page
