"""Tester 16 (L6): after "Acknowledge the ones ticked", the message "Left as they were" listed "Close the
late shift's open tasks (B4) (Step overdue)" twice, never saying which shift each was. Each check done
every shift or day is named with which check it is, as its page names it."""

import pytest
from django.urls import reverse

from adoption import chain
from escalation import engine
from escalation.choices import EscalationKind

from .conftest import at, deploy

pytestmark = pytest.mark.django_db


def test_each_check_left_is_named_with_its_shift_or_day(client, sign_in, match, people, time_machine):
    deployment = deploy(match, people.registered_manager)
    time_machine.move_to(at(26, 12), tick=False)
    engine.tick(at(26, 12))
    overdue = list(
        chain.run_for(deployment)
        .step_runs.filter(code="B4")
        .exclude(escalations=None)
        .order_by("due_at")
        .values_list("escalations__pk", flat=True)
    )
    assert len(overdue) >= 2
    sign_in(people.service_improvement_lead)  # not whom they went to: each is left as it was
    page = client.post(
        reverse("escalation:acknowledge_ticked"), {"escalation": overdue[:2]}, follow=True
    ).text
    left = page.split("Left as they were", 1)[1].split("</", 1)[0]
    assert left.count("check of") == 2
    first, second = left.split("; ")[:2]
    assert first != second
    assert f"({EscalationKind.OVERDUE.label})" in first
