"""A dashboard panel's first rows and its total come from one query, and the total is the count of
the whole list, not of the rows shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from providers.dashboards import first_rows_and_total
from providers.models import Service
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_the_first_rows_and_the_whole_lists_count_in_one_query(provider):
    for number in range(7):
        ServiceFactory(provider=provider, name=f"Home {number}")
    services = Service.objects.filter(provider=provider).order_by("name")
    with CaptureQueriesContext(connection) as captured:
        rows, total = first_rows_and_total(lambda: services, 5)
    assert len(captured.captured_queries) == 1
    assert [s.name for s in rows] == [s.name for s in services[:5]]
    assert total == services.count() == 7


def test_an_empty_list_counts_none(provider):
    nowhere = Service.objects.filter(provider=provider, name="nowhere")
    assert first_rows_and_total(lambda: nowhere, 5) == ([], 0)


def test_a_distinct_list_is_refused_rather_than_miscounted(provider):
    with pytest.raises(ValueError):
        first_rows_and_total(lambda: Service.objects.distinct(), 5)
