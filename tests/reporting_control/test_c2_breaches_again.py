"""C2 put right and then breaching again the same day: chain C's rule stays "each service behind is told
once per day's check of the figures", and the engine's rule for a step breaching again tells the affected
service the analyst names, saying it is the check's 2nd breach.

Cedar Court's action was never verified (0 % completing in time), so the first breach tells its
registered manager; the figures are recorded again within threshold, which settles that escalation.
"""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from escalation import services as engine
from escalation.models import Escalation
from providers.calendar import LONDON
from reporting_control import chain, services
from reporting_control.choices import LineKind
from tests.factories import CHECK_DONE

from .conftest import verify
from .test_c2_tells_managers import C2_BREACHED, C2_WITHIN, WHY, _due_notice, _manager

pytestmark = pytest.mark.django_db

FIRST_BREACH = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Monday 23 November 2026, 10:00, UK time; each record moves the clock on itself."""
    time_machine.move_to(FIRST_BREACH, tick=False)
    return time_machine


@pytest.fixture
def cedar_behind(
    plan, compliance_manager, quality_director, birch_match, cedar_match, birch_lodge, cedar_court
):
    """An update whose lines name Birch Lodge (verified) and Cedar Court (behind), each with a manager."""
    verify(birch_match)
    for match in (birch_match, cedar_match):
        _due_notice(match, quality_director)
    update = plan()
    for service in (birch_lodge, cedar_court):
        services.add_line(
            update,
            by=compliance_manager,
            claim=f"{service.name} now checks falls risk at every night round.",
            kind=LineKind.NAMED_SERVICE,
            services=[service],
        )
    _manager(birch_lodge, "birch-manager")
    _manager(cedar_court, "cedar-manager")
    return update


@pytest.fixture
def analyst(provider):
    from providers.choices import Role
    from tests.factories import person_with_role

    return person_with_role(Role.PERFORMANCE_ANALYST, provider=provider, username="analyst")


def _record(update, analyst, values, frozen, minute, **extra):
    frozen.move_to(FIRST_BREACH.replace(minute=minute), tick=False)
    return engine.record_step(
        chain.CASES.step_run_in_force(update, "C2", FIRST_BREACH),
        by=analyst,
        values=values,
        reasons=WHY,
        check_done=f"{CHECK_DONE} ({minute})",
        **extra,
    )


def test_a_service_behind_again_after_it_was_put_right_is_told_again(
    cedar_behind, analyst, cedar_court, frozen
):
    first = _record(cedar_behind, analyst, C2_BREACHED, frozen, 0).escalation
    assert (first.group, first.breach_number) == ("Cedar Court", 1)
    _record(cedar_behind, analyst, C2_WITHIN, frozen, 20)
    first.refresh_from_db()
    assert first.settled

    # Breaching again, the analyst must say which service it is about: chain C tells each service once.
    with pytest.raises(ValidationError) as refused:
        _record(cedar_behind, analyst, C2_BREACHED, frozen, 40)
    assert "Choose the affected service" in refused.value.message_dict["affected_service"][0]

    again = _record(cedar_behind, analyst, C2_BREACHED, frozen, 40, affected_service=cedar_court)

    second = again.escalation
    assert (second.service, second.group, second.breach_number, second.state) == (
        cedar_court,
        "",
        2,
        "raised",
    )
    assert "breached its threshold again (its 2nd breach" in second.reason
    assert [n.user.username for n in second.notifications.all()] == ["cedar-manager"]
    per_service = Escalation.objects.filter(step_run=again.step_run, parent=None, group="Cedar Court")
    assert per_service.count() == 1  # chain C's own escalation is not raised twice


def test_breaching_again_while_the_service_escalation_is_open_raises_nothing_new(
    cedar_behind, analyst, frozen
):
    first = _record(cedar_behind, analyst, C2_BREACHED, frozen, 0).escalation
    again = _record(cedar_behind, analyst, C2_BREACHED, frozen, 30)
    assert again.escalation == first
    assert Escalation.objects.filter(step_run=again.step_run).count() == 1
