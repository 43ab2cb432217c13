"""Each matched service keeps its trend figures (its service's incidents and care hours in the 4 weeks
before and after its trigger's learning was issued) current wherever their inputs change, and the
executive summary's trend follows at once: learning issued, a service added or matched after the
issue, incidents or care hours saved around the issue (to the first and last day of the weeks), an
operator's edit in the admin, and the migration that filled them. Each time the kept figures are
compared with a count written the long way over the raw incidents and care hours."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse

from learning_transfer.models import CareHours, Incident, MatchedService
from learning_transfer.models.triggers import TREND_FIGURES, TREND_WEEKS
from learning_transfer.services import adjust_match, issue_notices, update_exposure
from learning_transfer.services.summary import SummaryFilters, executive_summary
from providers.choices import RiskTag
from tests.factories import ServiceFactory, UserFactory

from .conftest import CONFIRMED, LONDON, WINDOW, add_care_hours, add_incidents

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)  # Wednesday 18 November: week 1 starts that day
ISSUE_DAY = date(2026, 11, 18)
LATER = CONFIRMED + timedelta(days=3)


@pytest.fixture
def trigger(log_falls_trigger, managers):
    return log_falls_trigger()


def kept() -> dict:
    """The trend figures each matched service keeps, by match id."""
    return {row[0]: row[1:] for row in MatchedService.objects.values_list("pk", *TREND_FIGURES)}


def recounted() -> dict:
    """The same figures counted the long way from the raw incidents and care hours, by match id: per
    week, the incidents and care hours (hundredths) on its 7 London days, incidents only in a week
    with care hours; zeros while the trigger is not issued."""
    figures = {}
    for match in MatchedService.objects.select_related("trigger"):
        row = []
        for week in TREND_WEEKS:
            incidents = hundredths = 0
            if match.trigger.notices_issued_at is not None:
                issue_day = match.trigger.notices_issued_at.astimezone(LONDON).date()
                start = issue_day + timedelta(days=7 * week if week < 0 else 7 * (week - 1))
                days = {start + timedelta(days=n) for n in range(7)}
                hours = sum(
                    (h.hours for h in CareHours.objects.filter(service=match.service_id) if h.day in days),
                    Decimal(0),
                )
                hundredths = int(hours * 100)
                if hundredths > 0:
                    incidents = sum(
                        1
                        for i in Incident.objects.filter(service=match.service_id)
                        if i.occurred_at.astimezone(LONDON).date() in days
                    )
            row += [incidents, hundredths]
        figures[match.pk] = tuple(row)
    return figures


def figures_of(trigger, service) -> dict:
    """One match's kept figures by week: (incidents, hours)."""
    row = kept()[MatchedService.objects.get(trigger=trigger, service=service).pk]
    return {week: (row[2 * n], row[2 * n + 1] / 100) for n, week in enumerate(TREND_WEEKS)}


def trend(provider) -> dict:
    rows = executive_summary(provider, SummaryFilters(period="all"), LATER)["trend"]
    return {row["week"]: (row["incidents"], row["care_hours"]) for row in rows}


def test_issuing_the_learning_counts_the_weeks_around_its_issue_day(trigger, provider, quality_director):
    assert set(kept().values()) == {(0,) * len(TREND_FIGURES)}, "nothing is counted before the issue"
    issue_notices(trigger, by=quality_director, now=ISSUED)
    assert kept() == recounted()
    # Week -1 is 11–17 November, the hand-worked rate window: Ash Grove 7 incidents in 700 hours.
    assert figures_of(trigger, trigger.matches.get(service__name="Ash Grove").service)[-1] == (7, 700)
    assert trend(provider)[-1] == (14, 2800)  # Ash 7/700, Beech 7/1400, Cedar 0/700; Dove has no hours


def test_incidents_and_care_hours_saved_after_the_issue_are_counted(
    trigger, provider, quality_director, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    week_two = [ISSUE_DAY + timedelta(days=7 + n) for n in range(7)]
    add_care_hours(falls_provider["ash"], 50, days=week_two)
    add_incidents(falls_provider["ash"], 4, day=week_two[3], prefix="week-two")
    add_incidents(falls_provider["dove"], 3, day=week_two[0], prefix="no-hours")  # no hours: not counted
    assert kept() == recounted()
    assert figures_of(trigger, falls_provider["ash"])[2] == (4, 350)
    assert trend(provider)[2] == (4, 350)


@pytest.mark.parametrize("offset", [-28, 27])
def test_a_day_saved_on_the_first_or_last_day_of_the_weeks_is_counted(
    offset, trigger, quality_director, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    day = ISSUE_DAY + timedelta(days=offset)  # the first day of week -4, the last of week 4
    add_care_hours(falls_provider["cedar"], 10, days=[day])
    add_incidents(falls_provider["cedar"], 2, day=day, prefix="edge")
    assert kept() == recounted()
    assert figures_of(trigger, falls_provider["cedar"])[-4 if offset < 0 else 4] == (2, 10)


def test_a_service_added_after_the_issue_counts_from_the_triggers_issue_day(
    trigger, quality_director, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    adjust_match(trigger, falls_provider["ember"], True, "Same night rota", quality_director)
    assert kept() == recounted()
    assert figures_of(trigger, falls_provider["ember"])[-1] == (14, 700)


def test_a_service_added_after_the_issue_is_counted(trigger, provider, north, quality_director):
    """A home opened after the issue is added by hand (matching the learning went out on stays)."""
    issue_notices(trigger, by=quality_director, now=ISSUED)
    opened = ServiceFactory(region=north, name="Gorse House", tags=[RiskTag.FALLS])
    add_care_hours(opened, 100)
    add_incidents(opened, 5, prefix="gorse")
    adjust_match(
        trigger, opened, True, "Opened after the issue; the same falls risk.", quality_director, now=LATER
    )
    assert kept() == recounted()
    assert figures_of(trigger, opened)[-1] == (5, 700)


def test_saving_a_match_read_before_a_recount_does_not_write_old_figures_back(
    trigger, quality_director, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    read_earlier = MatchedService.objects.get(trigger=trigger, service=falls_provider["cedar"])
    add_incidents(falls_provider["cedar"], 6, day=WINDOW[2], prefix="recounted")
    update_exposure(read_earlier, by=quality_director, briefing_completed_at=ISSUED + timedelta(hours=2))
    assert kept() == recounted()
    assert figures_of(trigger, falls_provider["cedar"])[-1] == (6, 700)


def posted(form) -> dict:
    """What a browser posts for a form left as it is, by field name."""
    data = {}
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):  # the admin's date and time inputs
            parts = widget.decompress(value)
            data.update({f"{bound.html_name}_{n}": "" if p is None else p for n, p in enumerate(parts)})
        elif isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = bound.field.prepare_value(value)
    return data


def admin_change(client, model, pk, **changes) -> dict:
    """The admin's change form of one record as a browser posts it, with `changes`; inlines unchanged."""
    url = reverse(f"admin:learning_transfer_{model}_change", args=[pk])
    context = client.get(url).context
    data = posted(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        data.update(posted(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(posted(form))
    return url, data | changes | {"_save": "Save"}


def test_an_operators_edit_of_the_issue_time_or_of_a_match_in_the_admin_is_counted(
    client, sign_in, trigger, quality_director, falls_provider
):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    sign_in(UserFactory(is_staff=True, is_superuser=True))
    # The learning was in fact issued a week later (entered afterwards from the paper record).
    url, data = admin_change(
        client,
        "learningtrigger",
        trigger.pk,
        notices_issued_at_0="2026-11-25",
        notices_issued_at_1="09:00:00",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.text[:3000]
    assert kept() == recounted()
    assert figures_of(trigger, falls_provider["ash"])[-2] == (7, 700)  # 11–17 November is now week -2

    # A match moved to the service it should have named.
    match = MatchedService.objects.get(trigger=trigger, service=falls_provider["cedar"])
    url, data = admin_change(client, "matchedservice", match.pk, service=falls_provider["ember"].pk)
    response = client.post(url, data)
    assert response.status_code == 302, response.text[:3000]
    assert kept() == recounted()
    assert figures_of(trigger, falls_provider["ember"])[-2] == (14, 700)

    # The issue time cleared (it was entered on the wrong trigger): nothing of it counts any more.
    url, data = admin_change(
        client, "learningtrigger", trigger.pk, notices_issued_at_0="", notices_issued_at_1=""
    )
    assert client.post(url, data).status_code == 302
    assert set(kept().values()) == {(0,) * len(TREND_FIGURES)}


def test_the_migration_fills_the_figures_of_the_matches_already_stored(trigger, quality_director):
    issue_notices(trigger, by=quality_director, now=ISSUED)
    expected = recounted()
    MatchedService.objects.update(**{name: 0 for name in TREND_FIGURES})  # as before the migration
    migration = importlib.import_module("learning_transfer.migrations.0019_matched_service_keeps_its_trend")
    migration.backfill(apps, None)
    assert kept() == expected
    assert any(any(row) for row in expected.values())
