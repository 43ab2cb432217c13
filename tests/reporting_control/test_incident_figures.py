"""C2's incident rate and C3's safeguarding alerts are pre-filled from the matched services' records."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from escalation import computations
from learning_transfer.models import CareHours, Incident
from learning_transfer.services.rollup import after_data_saved
from reporting_control import chain

LONDON = ZoneInfo("Europe/London")


def incident(service, day: date, n: int, **fields):
    """An incident written the short way; the service's daily roll-up (care hours too) is recounted."""
    created = Incident.objects.create(
        service=service,
        source_reference=f"{service.pk}-{day}-{n}",
        occurred_at=datetime.combine(day, time(3, 0), tzinfo=LONDON),
        theme="fall",
        **fields,
    )
    after_data_saved([service.pk])
    return created


def test_c2_pools_the_matched_services_rate_over_the_previous_seven_days(
    evidenced_update, birch_match, cedar_match, birch_lodge, cedar_court, elm_house
):
    # The clock stands at Monday 23 November 2026, 09:30: the window is Mon 16 to Sun 22 November.
    for service in (birch_lodge, cedar_court):
        for offset in range(7):
            CareHours.objects.create(
                service=service, day=date(2026, 11, 16) + timedelta(days=offset), hours=100
            )
    incident(birch_lodge, date(2026, 11, 18), 1)
    incident(birch_lodge, date(2026, 11, 18), 2)
    incident(cedar_court, date(2026, 11, 22), 1)
    incident(cedar_court, date(2026, 11, 15), 1)  # the day before the window
    incident(elm_house, date(2026, 11, 18), 1)  # the source service is not a matched service

    figures = computations.compute(chain.step_run(evidenced_update, "C2")).values

    assert figures["incident_rate_7d"] == round(3 * 100 / 1400, 3)  # 3 incidents in 1,400 care hours


def test_c2_leaves_the_rate_out_without_care_hours(evidenced_update, birch_match, birch_lodge):
    incident(birch_lodge, date(2026, 11, 18), 1)
    assert "incident_rate_7d" not in computations.compute(chain.step_run(evidenced_update, "C2")).values


def test_c3_counts_safeguarding_alerts_in_the_matched_services_over_30_days(
    evidenced_update, birch_match, cedar_match, birch_lodge, cedar_court, elm_house
):
    incident(birch_lodge, date(2026, 11, 5), 1, safeguarding_concern=True)
    incident(cedar_court, date(2026, 11, 20), 1, safeguarding_concern=True)
    incident(cedar_court, date(2026, 11, 20), 2)  # no safeguarding concern
    incident(cedar_court, date(2026, 10, 1), 1, safeguarding_concern=True)  # more than 30 days ago
    incident(elm_house, date(2026, 11, 20), 1, safeguarding_concern=True)  # not a matched service

    figures = computations.compute(chain.step_run(evidenced_update, "C3")).values

    assert figures == {"safeguarding_alerts_30d": 2}, "complaints are entered by the person, not guessed"
