"""The evidence pack writes its figures as the pages do: a rate to three decimal places, never the
raw float the engine stored, and a percentage or count as the step's own page shows it."""

from django.utils import timezone

from escalation.services import record_step
from escalation.values import value_rows
from providers.choices import Role
from reporting_control import chain
from reporting_control.packs import render_pack_html
from tests.factories import person_with_role

C2_VALUES = {
    "pct_completing_in_time": 66.7,
    "incident_rate_7d": 1.1428571428571428,  # 8 incidents in 700 care hours
    "movement_from_baseline_pct": {"Line 1": 12.5},
}


def test_the_pack_writes_a_recorded_rate_to_three_decimal_places(evidenced_update, provider, birch_lodge):
    analyst = person_with_role(Role.PERFORMANCE_ANALYST, provider=provider)
    c2 = chain.CASES.step_run_in_force(evidenced_update, "C2", timezone.now())
    checked = "Rates read from the incident records."
    record_step(c2, by=analyst, values=C2_VALUES, check_done=checked, affected_service=birch_lodge)

    html = render_pack_html(evidenced_update)

    assert "1.142857" not in html
    assert "Incident rate per 100 care hours in the previous 7 days across matched services: 1.143 " in html
    assert "Matched services completing the revised action within the target timeframe: 66.7 %" in html
    assert "Movement from baseline for each line presented as improved: Line 1: 12.5 %" in html
    # The same words and numbers as the step's page (escalation.values.value_rows) shows.
    for row in value_rows(c2.measures, C2_VALUES):
        assert f"{row['label']}: {row['value']} {row['unit']}" in html


def test_the_pack_counts_lines_as_the_evidence_check_does(evidenced_update):
    html = render_pack_html(evidenced_update)

    # One named-service line with verified evidence: nothing lacking, nothing provider-wide.
    assert "<td>Lines lacking named-service adoption evidence</td><td>0</td>" in html
    assert "<td>Lines claiming provider-wide adoption</td><td>0</td>" in html
