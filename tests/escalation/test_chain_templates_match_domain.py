"""The fifteen steps loaded from fixtures/chains.json carry exactly the values of DOMAIN.md's tables.

The expected table below is transcribed from DOMAIN.md (chains A, B and C) and the seed article; when
DOMAIN.md itself is at hand, its rows are read too and compared column by column.
"""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from escalation.models import ChainTemplate, StepTemplate, describe_window
from escalation.rules import thresholds
from providers.choices import Role

R = Role
# code: (role, deadline rule, escalate to, window in working hours, threshold rule,
#        words of the evidence store, words of the action)
EXPECTED = {
    "A1": (
        R.QUALITY_DIRECTOR,
        {"kind": "working_hours_after", "hours": 2},
        R.OPERATIONS_DIRECTOR,
        1,
        {
            "all": [
                {"measure": "matched_services", "op": ">", "value": 2},
                {"any_item": "matched_service_rates", "op": ">", "measure_ref": "provider_median_rate"},
            ]
        },
        "Provider Learning Control",
        "mandatory learning",
    ),
    "A2": (
        R.GOVERNANCE_OFFICER,
        {"kind": "clock_on_working_day", "time": "10:18", "working_days_after": 0, "after_step": "A1"},
        R.QUALITY_DIRECTOR,
        2,
        {"measure": "pct_received_within_4h", "op": "<", "value": 100},
        "Learning-distribution sheet",
        "redistribution",
    ),
    "A3": (
        R.OPERATIONS_DIRECTOR,
        {"kind": "clock_on_working_day", "time": "13:14", "working_days_after": 0, "after_step": "A2"},
        R.PROVIDER_DIRECTOR,
        3,
        {"measure": "services_without_lead", "op": ">", "value": 1},
        "Cross-Service Risk Transfer",
        "provider intervention",
    ),
    "A4": (
        R.DEPUTY_REGIONAL_MANAGER,
        {"kind": "clock_on_working_day", "time": "16:06", "working_days_after": 0, "after_step": "A3"},
        R.COMPLIANCE_MANAGER,
        1,
        {"any_item": "expected_reduction_pct", "op": "<", "value": 12},
        "Learning-alignment record",
        "next-day learning verification",
    ),
    "A5": (
        R.NOMINATED_INDIVIDUAL,
        {"kind": "clock_on_working_day", "time": "15:10", "working_days_after": 1, "after_step": "A4"},
        R.PROVIDER_DIRECTOR,
        4,
        {"measure": "high_risk_lacking_action", "op": ">", "value": 1},
        "Executive learning summary",
        "learning-route redesign",
    ),
    "B1": (
        R.SERVICE_IMPROVEMENT_LEAD,
        {"kind": "each_shift", "within_hours": 4},
        R.OPERATIONS_DIRECTOR,
        1,
        {"change_from_baseline": "record_completion_pct", "op": "<", "value": 5},
        "Learning-adoption checklist",
        "same-shift implementation reset",
    ),
    "B2": (
        R.CLINICAL_LEAD,
        {"kind": "each_working_day", "time": "14:16"},
        R.REGISTERED_MANAGER,
        1,
        {"measure": "risk_note_updates_same_shift_pct", "op": "<", "value": 93},
        "Learning-clinical form",
        "clinical implementation review",
    ),
    "B3": (
        R.PRACTICE_DEVELOPMENT_LEAD,
        {"kind": "elapsed_hours_after", "hours": 30},
        R.PROVIDER_DIRECTOR,
        2,
        {"measure": "avg_demonstration_pct", "op": "<", "value": 90},
        "Transferred Learning Reliability",
        "urgent provider retraining",
    ),
    "B4": (
        R.SENIOR_CARER_LATE,
        {"kind": "each_shift_before", "shift": "late", "time": "20:18"},
        R.ON_CALL_MANAGER,
        0,
        {
            "all": [
                {"measure": "unresolved_tasks_over_2h", "op": ">", "value": 2},
                {"measure": "resident_impact_concerns", "op": ">", "value": 1},
            ]
        },
        "Learning-closure log",
        "same-night supervisory support",
    ),
    "B5": (
        R.REGISTERED_MANAGER,
        # Open once "the previous 3 monitored shifts" it judges have ended.
        {"kind": "clock_on_working_day", "time": "09:36", "working_days_after": 3, "opens_after_shifts": 3},
        R.OPERATIONS_DIRECTOR,
        3,
        {"measure": "pct_tasks_within_target", "op": "<", "value": 91},
        "Learning-stability dashboard",
        "learning recovery plan",
    ),
    "C1": (
        R.COMPLIANCE_MANAGER,
        {"kind": "working_days_before", "days": 5},
        R.OPERATIONS_DIRECTOR,
        2,
        {"measure": "lines_lacking_service_evidence", "op": ">", "value": 2},
        "Learning-evidence register",
        "Freeze the affected reporting lines",
    ),
    "C2": (
        R.PERFORMANCE_ANALYST,
        {"kind": "each_working_day", "time": "12:12"},
        R.REGISTERED_MANAGER,
        1,
        {"measure": "pct_completing_in_time", "op": "<", "value": 90},
        "Learning-comparison table",
        "same-day redrafting",
    ),
    "C3": (
        R.RESIDENT_EXPERIENCE_LEAD,
        {"kind": "working_days_before", "days": 1, "not_after_step": "C4"},
        R.OPERATIONS_DIRECTOR,
        4,
        {"measure": "linked_complaints_30d", "op": ">", "value": 3},
        "Corroboration sheet",
        "same-day narrative revision",
    ),
    "C4": (
        R.OPERATIONS_DIRECTOR,
        {"kind": "elapsed_hours_before", "hours": 28, "back_into_working_time": True, "not_after_step": "C5"},
        R.PROVIDER_DIRECTOR,
        2,
        {"sum": ["unsupported_statements", "contradictions"], "op": ">", "value": 3},
        "Provider Learning Validation",
        "issue hold",
    ),
    "C5": (
        R.PROVIDER_DIRECTOR,
        {"kind": "clock_on_working_day_before", "time": "16:10"},
        R.COMPLIANCE_MANAGER,
        1,
        {"sum": ["residual_defects", "deferred_sections"], "op": ">", "value": 2},
        "Executive issue-control record",
        "overnight correction",
    ),
}

# The measure keys other apps use to pre-fill forms, and their kinds.
MEASURES = {
    "A1": [
        "matched_services:count",
        "open_actions_due_5d:count",
        "matched_service_rates:rate*",
        "provider_median_rate:rate",
    ],
    "A2": [
        "pct_received_within_4h:percentage",
        "sampled_with_named_owner:count",
        "sampled_due_within_72h:count",
    ],
    "A3": [
        "services_without_lead:count",
        "comparable_risk_unresolved_24h:count",
        "briefing_incomplete:count",
    ],
    "A4": ["briefings_completed_4h:count", "local_tasks_due_24h:count", "expected_reduction_pct:percentage*"],
    "A5": ["avg_confirmation_rate:percentage", "repeated_defects:count", "high_risk_lacking_action:count"],
    "B1": [
        "record_completion_pct:percentage",
        "responses_over_10_min:count",
        "repeat_errors_3_interactions:count",
    ],
    "B2": [
        "omissions_per_100_administrations:rate",
        "wound_entries_within_2h_pct:percentage",
        "risk_note_updates_same_shift_pct:percentage",
    ],
    "B3": [
        "avg_demonstration_pct:percentage",
        "repeat_errors_3_attempts:count",
        "avg_minutes_to_apply_rule:minutes",
    ],
    "B4": [
        "unresolved_tasks_over_2h:count",
        "resident_impact_concerns:count",
        "repeat_prompts_same_group:count",
    ],
    "B5": [
        "pct_tasks_within_target:percentage",
        "adoption_failures_3_shifts:count",
        "resident_impact_events:count",
    ],
    "C1": [
        "provider_wide_adoption_lines:count",
        "lines_lacking_service_evidence:count",
        "open_risk_without_current_data:count",
    ],
    "C2": [
        "pct_completing_in_time:percentage",
        "incident_rate_7d:rate",
        "movement_from_baseline_pct:percentage*",
    ],
    "C3": ["linked_complaints_30d:count", "safeguarding_alerts_30d:count", "complaints_reopened_14d:count"],
    "C4": ["unsupported_statements:count", "contradictions:count", "deferred_sections:count"],
    "C5": ["lines_challenge_cleared:count", "residual_defects:count", "deferred_sections:count"],
}

pytestmark = pytest.mark.django_db


def test_three_chains_of_five_steps_each_in_order(chains):
    assert [c.code for c in ChainTemplate.objects.all()] == ["A", "B", "C"]
    for chain in ChainTemplate.objects.all():
        assert [s.order for s in chain.steps.all()] == [1, 2, 3, 4, 5]
        assert [s.code for s in chain.steps.all()] == [f"{chain.code}{n}" for n in range(1, 6)]
    assert ChainTemplate.objects.get(code="C").preparation_working_days == 5


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_step_matches_the_domain_table(chains, code):
    role, deadline, target, window, rule, store, action = EXPECTED[code]
    step = StepTemplate.objects.get(code=code)
    assert step.role == role
    assert step.deadline_rule == deadline
    assert step.escalate_to == target
    assert step.response_working_hours == Decimal(window)
    assert step.threshold_rule == rule
    assert store in step.evidence_store
    assert action.lower() in step.action.lower()
    assert step.check_method and step.due_text and step.title
    kinds = [f"{m['name']}:{m['kind']}{'*' if m.get('group') else ''}" for m in step.measures]
    assert kinds == MEASURES[code]


def test_b1_is_recorded_with_a_baseline_and_c2_escalates_to_the_affected_service(chains):
    b1 = StepTemplate.objects.get(code="B1")
    assert [m.get("baseline", False) for m in b1.measures] == [True, False, False]
    assert StepTemplate.objects.get(code="C2").target_scope == "affected_service"
    assert StepTemplate.objects.get(code="B4").window_words == "immediately — within 1 hour"


def _domain_md() -> Path | None:
    candidates = [
        os.environ.get("DOMAIN_MD", ""),
        Path(settings.BASE_DIR) / "docs" / "DOMAIN.md",
        Path(settings.BASE_DIR).parent / "shared" / "spec" / "DOMAIN.md",
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def _domain_rows() -> dict[str, list[str]]:
    path = _domain_md()
    if path is None:
        pytest.skip("DOMAIN.md is not at hand (set DOMAIN_MD to its path)")
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*([ABC][1-5])\s*\|", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return rows


def test_roles_targets_windows_and_thresholds_agree_with_domain_md(chains):
    rows = _domain_rows()
    assert sorted(rows) == sorted(EXPECTED)
    for code, cells in rows.items():
        step = StepTemplate.objects.get(code=code)
        _, role, _due, _records, _check, escalate, when, _action = cells
        assert role.lower() == step.get_role_display().lower(), code
        target, _, window = escalate.rpartition(",")
        assert target.lower().startswith(step.get_escalate_to_display().lower()), code
        # The domain's "1 working hour" or "immediately", as every page says it.
        said = window.strip()
        said = "immediately — within 1 hour" if said == "immediately" else f"within {said}"
        assert describe_window(step.response_working_hours) == said, code
        stated = [(op, int(n)) for op, n in re.findall(r"([<>])\s*(\d+)", when.replace("*", ""))]
        words = {"more than": ">", "above": ">", "fewer than": "<", "less than": "<", "below": "<"}
        ours = [
            (next(op for w, op in words.items() if f"{w} N" in t["text"]), t["value"])
            for t in thresholds(step.threshold_rule, step.measures)
        ]
        assert stated == ours, code
