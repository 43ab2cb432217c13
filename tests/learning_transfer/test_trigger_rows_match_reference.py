"""The rows of a trigger's tables of matched services, written by tags (trigger_rows.py) rather than by
the tables' templates, are the markup those templates wrote (trigger_rows_reference.html), row for row,
in every case a row can show: added by hand, above or at the median or without a rate; a notice not
issued, awaiting, in time or late, reissued, without an owner or due date, changeable or not; a lead
or none, briefing, comparable risk open, resolved or never found, implementation verified or not. Text
a person typed is escaped the same way."""

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import product
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from learning_transfer.models import ImplementationLead, LearningNotice, MatchedService
from learning_transfer.services.measures import ServiceRow
from learning_transfer.templatetags.trigger_rows import (
    exposure_row,
    exposure_rows,
    matched_service_row,
    matched_service_rows,
    notice_row,
    notice_rows,
    services_with_reductions,
)
from providers.choices import RiskLevel, RiskTag
from providers.markup import as_html
from providers.models import Service, User

REFERENCE = Template((Path(__file__).parent / "trigger_rows_reference.html").read_text())
ISSUED = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Europe/London"))
MEDIAN = 2.0


def reference(table: str, row: ServiceRow, can_distribute: bool = False, **more) -> str:
    """The row as its table's template wrote it, without the indent before it and the blank lines its
    `if` tags left."""
    context = {
        "table": table,
        "row": row,
        "pic": {"median": MEDIAN},
        "can_distribute": can_distribute,
        "distribution": {"in_time_words": "Within 4 hours"},
        **more,
    }
    written = REFERENCE.render(Context(context))
    return "\n".join(line for line in written.splitlines() if line.strip()).strip()


def person(first_name: str) -> User:
    return User(username=first_name.lower(), first_name=first_name, last_name="O'Neil & Sons")


def service_row(match: MatchedService, notice=None, received_in_time=False, lead=None) -> ServiceRow:
    return ServiceRow(
        match=match,
        notices=[notice] if notice else [],
        current=notice,
        received_in_time=received_in_time,
        lead=lead,
        lines=[],
        open_lines=2,
    )


def match(**fields) -> MatchedService:
    service = Service(pk=11, name="Elm <House>", risk_level=RiskLevel.HIGH)
    return MatchedService(pk=21, service=service, incidents_7d=3, care_hours_7d=Decimal("1250.5"), **fields)


@pytest.mark.parametrize(
    ("by_rule", "rate", "above", "tags"),
    [
        (True, Decimal("2.5"), True, [RiskTag.FALLS, RiskTag.MEDICATION]),
        (False, Decimal("2.0"), False, []),
        (True, None, False, [RiskTag.FALLS]),
    ],
)
@pytest.mark.parametrize("to_open", [{21}, set()])  # the person may open its page, or may not
def test_a_matched_services_row(by_rule, rate, above, tags, to_open):
    m = match(matched_by_rule=by_rule, reason="Asked <b>by</b> the RM", rate_7d=rate, above_median=above)
    m.shared_tags, m.open_actions_due_5d = tags, 4
    row = service_row(m)
    assert matched_service_row(row, MEDIAN, to_open) == reference("matched", row, to_open=to_open)


NOTICES = {
    "awaiting": {"acknowledged_at": None},
    "acknowledged": {"acknowledged_at": ISSUED + timedelta(hours=2)},
    "reissued, no owner, no due date": {"round": 2, "owner": None, "due_at": None, "acknowledged_at": None},
}


@pytest.mark.parametrize(
    ("notice", "in_time", "can_distribute"), list(product([None, *NOTICES], [True, False], [True, False]))
)
def test_a_notices_row(notice, in_time, can_distribute):
    fields = {"round": 1, "owner": person("Priya"), "due_at": ISSUED + timedelta(hours=72)}
    current = (
        None if notice is None else LearningNotice(pk=31, issued_at=ISSUED, **{**fields, **NOTICES[notice]})
    )
    row = service_row(match(), current, received_in_time=in_time)
    assert notice_row(row, can_distribute, "Within 4 hours") == reference("notice", row, can_distribute)


@pytest.mark.parametrize(
    ("with_lead", "risk", "done"),
    list(product([True, False], ["open", "open too long", "resolved", "none"], [True, False])),
)
@pytest.mark.parametrize("to_open", [{21}, set()])
def test_an_exposure_row(with_lead, risk, done, to_open):
    found = ISSUED - timedelta(days=2)
    m = match(
        briefing_completed_at=ISSUED if done else None,
        comparable_risk_open_since=found if risk != "none" else None,
        comparable_risk_resolved_at=ISSUED if risk == "resolved" else None,
        expected_reduction_pct=Decimal("12.5") if done else None,
        implementation_confirmed_at=ISSUED if done else None,
    )
    lead = ImplementationLead(person=person("Sam")) if with_lead else None
    row = service_row(m, lead=lead)
    # A3's age (the provider's tuning): the risk found 2 days ago is open too long at 36 hours.
    age = 36 if risk == "open too long" else 72  # hours
    long = risk == "open too long"
    expected = reference("exposure", row, long=long, over=f"Over {age} hours", to_open=to_open)
    assert exposure_row(row, ISSUED, age, to_open) == expected
    assert (f"Over {age} hours" in expected) == long


def test_a_risk_open_longer_than_one_hour_says_hour():
    found = ISSUED - timedelta(hours=2)
    row = service_row(match(comparable_risk_open_since=found))
    assert "Over 1 hour<" in exposure_row(row, ISSUED, 1, set())


def test_a_tables_rows_are_laid_out_as_the_tables_loop_wrote_them():
    """One tag writes a table's rows as `{% for %}` wrote a row tag each: each row on a line of its own."""
    notice = LearningNotice(pk=31, issued_at=ISSUED, round=1, owner=person("Priya"), acknowledged_at=None)
    rows = [
        service_row(match(matched_by_rule=True, rate_7d=None, above_median=False), notice) for _ in range(2)
    ]
    for row in rows:
        row.match.shared_tags, row.match.open_actions_due_5d = [RiskTag.FALLS], 0
    loop = Template("{% for row in rows %}\n    {{ row }}\n  {% endfor %}")

    def looped(written):
        return loop.render(Context({"rows": written}))

    to_open = {21}
    matched = looped([matched_service_row(r, MEDIAN, to_open) for r in rows])
    assert matched_service_rows(rows, MEDIAN, to_open) == matched
    assert notice_rows(rows, True, "In time") == looped([notice_row(r, True, "In time") for r in rows])
    assert exposure_rows(rows, ISSUED, 72, to_open) == looped(
        [exposure_row(r, ISSUED, 72, to_open) for r in rows]
    )
    assert matched_service_rows([], MEDIAN, to_open) == ""


def test_a_value_goes_into_a_row_escaped_once():
    assert as_html("O'Neil & <Sons>") == "O&#x27;Neil &amp; &lt;Sons&gt;"
    assert as_html(mark_safe("<strong>Late</strong>")) == "<strong>Late</strong>"
    assert as_html(3) == "3"
    assert as_html(None) == "None"


def test_a_groups_services_are_named_with_their_reductions_as_the_template_named_them():
    rows = [service_row(match(expected_reduction_pct=pct)) for pct in (Decimal("12.5"), None)]
    loop = Template(
        "{% load learning %}{% for row in rows %}{{ row.match.service }} "
        "({{ row.match.expected_reduction_pct|pct }}){% if not forloop.last %}, {% endif %}{% endfor %}"
    )
    assert services_with_reductions(rows) == loop.render(Context({"rows": rows}))
    assert services_with_reductions(rows) == "Elm &lt;House&gt; (12.5%), Elm &lt;House&gt; (—)"


TIMELINE_REFERENCE = Template((Path(__file__).parent / "timeline_reference.html").read_text())


def timeline_steps() -> list:
    """A case's steps in every state the timeline shows: recorded, closed, the viewer's own, someone
    else's (named, or nobody), due, overdue (due before now, not yet marked) and breached with the
    step's own words; one run per region; typed text that needs escaping."""
    from escalation.models import StepRun
    from providers.models import Region
    from providers.who_acts import Actors

    utc = ZoneInfo("UTC")
    past, future = datetime(2026, 3, 1, 9, 0, tzinfo=utc), datetime(2099, 1, 1, tzinfo=utc)
    common = {
        "title": "Step <title>",
        "due_text": "within 2 hours & no later",
        "deadline_rule": {"kind": "working_hours_after", "hours": 2},
        "role": "quality_director",
    }
    named = [Actors("registered_manager", "at Elm <House>", (person("Ann"), person("Bo")))]
    cases = [
        {"state": "recorded", "recorded_at": ISSUED, "name": "Find comparable services"},
        {"state": "closed", "name": ""},
        {"state": "due", "yours": True, "name": "Issue the learning"},
        {"state": "due", "actors": named, "due_at": future},
        {"state": "due", "actors": [], "region": Region(pk=5, name="North & West")},
        {"state": "breached", "breach_status": "Mandatory learning needed — issue it today", "actors": named},
        {"state": "overdue", "actors": named},
        {
            "state": "due",
            "actors": named,
            "deadline_rule": {"kind": "clock_on_working_day", "time": "10:18", "after_step": "A1"},
        },
    ]
    steps = []
    for n, case in enumerate(cases, start=1):
        yours, actors = case.pop("yours", False), case.pop("actors", [])
        step = StepRun(pk=n, code=f"A{n}", due_at=case.pop("due_at", past), **(common | case))
        step.yours, step.actors = yours, actors
        steps.append(step)
    return steps


@pytest.mark.parametrize("can_open_case", [True, False])
def test_the_timeline_is_the_markup_its_template_wrote(can_open_case):
    from learning_transfer.templatetags.trigger_rows import timeline_items

    steps = timeline_steps()
    written = TIMELINE_REFERENCE.render(Context({"step_runs": steps, "can_open_case": can_open_case}))
    ours = timeline_items(steps, can_open_case)

    def lines(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.strip()]

    assert lines(ours) == lines(written)
    assert "Elm &lt;House&gt;" in ours and "North &amp; West" in ours and "yours to record" in ours
