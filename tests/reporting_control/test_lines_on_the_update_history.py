"""An update's history says when each reporting line was added, had its services named or was decided
on, and by whom: found by a tester whose update's history stopped at "Services it covers named"."""

import pytest

from providers.history import recent_changes
from reporting_control import services
from reporting_control.choices import LineKind, LineState

pytestmark = pytest.mark.django_db


def _rows(update):
    return [(row.history_change_reason, row.history_user) for row in recent_changes(update, None)]


def test_adding_a_line_writes_a_row_in_the_update_history(
    client, sign_in, update_with_a_line, compliance_manager
):
    update = update_with_a_line()

    assert (
        "Line 1 added: Birch Lodge now checks falls risk at every night round.",
        compliance_manager,
    ) in _rows(update)
    sign_in(compliance_manager)
    history = client.get(update.get_absolute_url()).text.split("<h2>History</h2>", 1)[1]
    assert "Line 1 added: Birch Lodge now checks falls risk at every night round." in history


def test_deciding_on_a_line_and_naming_its_services_write_rows_too(
    update_with_a_line, compliance_manager, cedar_court
):
    update = update_with_a_line()
    services.add_line(
        update,
        by=compliance_manager,
        claim="Cedar Court reviews falls weekly.",
        kind=LineKind.NAMED_SERVICE,
        services=[cedar_court],
    )
    line = update.lines.get(order=2)
    services.decide_line(line, by=compliance_manager, state=LineState.FROZEN, reason="No proof yet.")
    services.name_line_services(update.lines.get(order=1), by=compliance_manager, services=[cedar_court])

    rows = _rows(update)
    assert ("Line 2 added: Cedar Court reviews falls weekly.", compliance_manager) in rows
    assert ("Line 2 frozen: No proof yet.", compliance_manager) in rows
    assert ("Line 1 names its services: Cedar Court", compliance_manager) in rows
