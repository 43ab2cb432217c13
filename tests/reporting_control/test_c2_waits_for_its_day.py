"""Tester 18 (M5): the check of the figures "for Fri 11 Dec" (C2, one each preparation day) was recorded
on Mon 7 Dec with that day's figures, with no word, and counted as Friday's check. Before the day it is
for, its figures are not final: the page says so and recording asks "Record it now anyway"."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from escalation.computations import compute
from learning_transfer.models import CareHours
from learning_transfer.services.rollup import after_data_saved
from reporting_control import chain


def c2_checks(update):
    return list(chain.run_for(update).step_runs.filter(code=chain.FIGURES_STEP).order_by("due_at"))


@pytest.fixture
def update(evidenced_update, birch_match, cedar_match, birch_lodge, cedar_court):
    """An update whose matched services have care hours, so C2's incident rate is computed."""
    for service in (birch_lodge, cedar_court):
        for offset in range(7):
            CareHours.objects.create(
                service=service, day=date(2026, 11, 16) + timedelta(days=offset), hours=100
            )
    after_data_saved([birch_lodge.pk, cedar_court.pk])  # the daily roll-up the rate is read from
    return evidenced_update


def test_a_check_for_a_later_day_is_not_final_before_that_day(update):
    last = c2_checks(update)[-1]
    day = timezone.localtime(last.due_at)
    figures = compute(last)  # the fixed clock: Mon 23 Nov, days before the preparation window
    reasons = set(figures.not_final.values())
    assert (
        f"this check is for {day:%a} {day.day} {day:%b}: figures recorded before that day are not that day's"
        in reasons
    )


def test_on_its_day_the_figures_are_final(update, birch_lodge):
    last = c2_checks(update)[-1]
    day = timezone.localtime(last.due_at).date()
    for offset in range(1, 8):  # the week before its day, so its rate is computed then
        CareHours.objects.create(service=birch_lodge, day=day - timedelta(days=offset), hours=100)
    after_data_saved([birch_lodge.pk])
    with time_machine.travel(timezone.localtime(last.due_at).replace(hour=9, minute=0), tick=False):
        figures = compute(last)
    assert "incident_rate_7d" in figures.values
    assert "incident_rate_7d" not in figures.not_final
