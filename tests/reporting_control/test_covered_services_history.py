"""The learning and services an update covers decide who may see its evidence pack, so every change
to them, and to the services a line speaks for, is in the history with what they were before."""

import pytest

from reporting_control import services
from reporting_control.choices import LineKind

pytestmark = pytest.mark.django_db


def covered(record) -> set[str]:
    return {link.service.name for link in record.services.all()}


def test_the_history_keeps_the_services_an_update_covered(plan, birch_lodge, cedar_court):
    update = plan()
    update.services.remove(cedar_court)
    first, last = update.history.earliest(), update.history.latest()
    assert covered(last) == {"Birch Lodge"}
    earlier = update.history.filter(history_id__lt=last.history_id).latest()
    assert covered(earlier) == {"Birch Lodge", "Cedar Court"}
    assert first.history_change_reason == "Update planned"
    assert {link.learningtrigger.title for link in last.triggers.all()} == {update.triggers.get().title}


def test_the_history_keeps_the_services_a_line_spoke_for(plan, compliance_manager, birch_lodge, cedar_court):
    line = services.add_line(
        plan(),
        by=compliance_manager,
        claim="Both homes check falls risk at every night round.",
        kind=LineKind.NAMED_SERVICE,
        services=[birch_lodge, cedar_court],
    )
    line.services.remove(birch_lodge)
    assert covered(line.history.latest()) == {"Cedar Court"}
    assert covered(line.history.filter(history_id__lt=line.history.latest().history_id).latest()) == {
        "Birch Lodge",
        "Cedar Court",
    }
