"""A trigger keeps the rates it was matched on; when care hours or incidents of a matched service in
its matching window change after that, its page says so, with the figures, and offers to run
matching again to whoever may run it. The import page says the same of the figures it replaced."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning_transfer.services import import_care_hours, import_incidents, issue_notices, match_services

from .conftest import CONFIRMED, LONDON

pytestmark = pytest.mark.django_db

RECOUNT = "the rates above are as matched; run matching again to recount"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def hours_file(rows):
    text = "service,day,hours\n" + "".join(f"{service},{day},{hours}\n" for service, day, hours in rows)
    return SimpleUploadedFile("hours.csv", text.encode(), content_type="text/csv")


@pytest.fixture
def trigger(falls_provider, provider, quality_director, log_falls_trigger):
    """The falls trigger, matched at CONFIRMED + 5 minutes, with Ash Grove's Thursday 12 November
    imported (642.18 hours) before the matching ran."""
    with time_machine.travel(CONFIRMED - timedelta(hours=1), tick=False):
        import_care_hours(hours_file([("Ash Grove", "2026-11-12", "642.18")]), provider, quality_director)
    return log_falls_trigger()


def page_of(client, trigger) -> str:
    return client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text


def test_care_hours_replaced_in_the_window_after_matching_are_named_on_the_trigger_page(
    client, sign_in, provider, quality_director, trigger, managers
):
    sign_in(quality_director)
    before = page_of(client, trigger)
    assert RECOUNT not in before
    import_care_hours(hours_file([("Ash Grove", "2026-11-12", "10")]), provider, quality_director)
    page = page_of(client, trigger)
    assert (
        "Care hours of Ash Grove in the matching window changed after matching "
        f"(Thu 12 Nov: 642.18 → 10.00): {RECOUNT}." in page
    )
    rematch = reverse("learning_transfer:trigger_rematch", args=[trigger.pk])
    assert page.count(f'action="{rematch}"') == 2  # in the note, and below the matched services
    # The matched figures stay as they were matched until matching runs again.
    ash = trigger.matches.get(service__name="Ash Grove")
    assert ash.care_hours_7d == Decimal("1242.18")

    # A registered manager of Ash Grove reads the note, with no matching to run.
    sign_in(managers["ash"])
    page = page_of(client, trigger)
    assert "Care hours of Ash Grove in the matching window changed after matching" in page
    assert rematch not in page

    # Once matching runs again, the page counts on the new figures and the note goes.
    match_services(trigger, by=quality_director)
    sign_in(quality_director)
    assert RECOUNT not in page_of(client, trigger)


def test_a_day_added_after_matching_and_incidents_imported_since_are_named_too(
    client, sign_in, provider, quality_director, trigger
):
    import_care_hours(hours_file([("Dove Cottage", "2026-11-13", "80")]), provider, quality_director)
    when = datetime(2026, 11, 14, 9, 0, tzinfo=LONDON).strftime("%Y-%m-%d %H:%M")
    incidents = (
        "source_reference,service,occurred_at,theme\n"
        f"LATE-1,Beech Lodge,{when},fall\nLATE-2,Beech Lodge,{when},medication\n"
    )
    import_incidents(SimpleUploadedFile("late.csv", incidents.encode()), provider, quality_director)
    sign_in(quality_director)
    page = page_of(client, trigger)
    assert "Care hours of Dove Cottage in the matching window changed after matching" in page
    assert "(Fri 13 Nov: none → 80.00)" in page
    assert (
        "Incidents at Beech Lodge in the matching window changed after matching (7 when matched, 9 now)"
        in page
    )


def test_changes_outside_the_window_or_at_other_services_say_nothing(
    client, sign_in, provider, quality_director, trigger
):
    rows = [("Ash Grove", "2026-11-20", "300"), ("Ember Court", "2026-11-12", "5")]  # after; not matched
    import_care_hours(hours_file(rows), provider, quality_director)
    sign_in(quality_director)
    assert "changed after matching" not in page_of(client, trigger)


def test_the_note_is_read_with_the_same_queries_however_many_figures_changed(
    client, sign_in, provider, quality_director, trigger
):
    sign_in(quality_director)
    import_care_hours(hours_file([("Ash Grove", "2026-11-12", "10")]), provider, quality_director)
    with CaptureQueriesContext(connection) as one:
        page_of(client, trigger)
    days = [date(2026, 11, 11) + timedelta(days=n) for n in range(7)]
    rows = [(name, day, "55") for name in ("Ash Grove", "Beech Lodge", "Cedar Court") for day in days]
    import_care_hours(hours_file(rows), provider, quality_director)
    with CaptureQueriesContext(connection) as many:
        page = page_of(client, trigger)
    assert "Care hours of Cedar Court in the matching window changed after matching" in page
    assert len(many) == len(one)


def test_the_import_page_says_what_a_matched_trigger_does_with_replaced_figures(
    client, sign_in, provider, quality_director, trigger
):
    job = import_care_hours(hours_file([("Ash Grove", "2026-11-12", "10")]), provider, quality_director)
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:import_detail", args=[job.pk])).text
    assert (
        "Rates counted from now on use the new figures; a trigger already matched keeps the figures "
        "it was matched on and says they changed." in page
    )
    assert "every rate counted over them changes with it" not in page


def test_the_matched_service_page_says_its_own_figures_changed(
    client, sign_in, provider, quality_director, trigger, managers
):
    """Found: the note was on the trigger page only; the matched service's own page showed its rate
    before the learning with no word that its care hours had been replaced since."""
    import_care_hours(hours_file([("Ash Grove", "2026-11-12", "10")]), provider, quality_director)
    ash = trigger.matches.get(service__name="Ash Grove")
    dove = trigger.matches.get(service__name="Dove Cottage")
    sign_in(managers["ash"])

    page = client.get(reverse("learning_transfer:match_detail", args=[ash.pk])).text
    assert f"(Thu 12 Nov: 642.18 → 10.00): {RECOUNT}." in page
    sign_in(quality_director)
    other = client.get(reverse("learning_transfer:match_detail", args=[dove.pk])).text
    assert "Care hours of Ash Grove" not in other
    # Ash Grove's hours moved the provider median, which every matched service is judged against.
    assert "The provider median in the matching window changed after matching (0.564 when matched" in other


def test_once_the_learning_is_issued_the_matching_it_went_out_on_stays(
    client, sign_in, provider, quality_director, trigger, managers
):
    """Found by a tester: after the notices went out, "Run matching again" rewrote the median the
    decision "rested on" and which services were above it, beside the recorded decision (A1) saying
    otherwise. The matching the learning went out on is a fact of record: a service now comparable is
    added by hand."""
    issue_notices(trigger, by=quality_director)
    import_care_hours(hours_file([("Ash Grove", "2026-11-12", "10")]), provider, quality_director)
    sign_in(quality_director)
    page = page_of(client, trigger)
    assert "Care hours of Ash Grove in the matching window changed after matching" in page
    assert "the rates above are the ones the learning was issued on" in page
    assert reverse("learning_transfer:trigger_rematch", args=[trigger.pk]) not in page
    assert reverse("learning_transfer:match_adjust", args=[trigger.pk]) in page

    response = client.post(reverse("learning_transfer:trigger_rematch", args=[trigger.pk]), follow=True)
    assert "The learning was issued on the matching of " in response.text
    assert trigger.matches.get(service__name="Ash Grove").care_hours_7d == Decimal("1242.18")
