"""The update list costs the same number of queries for 3 updates as for 30."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting_control import services
from reporting_control.choices import LineKind


def make_updates(plan, by, numbers, service):
    for n in numbers:
        update = plan(title=f"Update {n}")
        services.add_line(update, by=by, claim=f"Claim {n}", kind=LineKind.NAMED_SERVICE, services=[service])


def queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reporting_control:update_list")).status_code == 200
    return len(captured)


def test_the_update_list_query_count_does_not_grow(client, sign_in, plan, compliance_manager, birch_lodge):
    sign_in(compliance_manager)
    make_updates(plan, compliance_manager, range(3), birch_lodge)
    few = queries_for_list(client)
    make_updates(plan, compliance_manager, range(3, 30), birch_lodge)
    many = queries_for_list(client)
    assert few == many
