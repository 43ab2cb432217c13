"""The demo's implementation lines were added before they were done: a service's History never lists
a line's completion before its adding (finding 11: the line was added at load time, after its
back-dated completion)."""

from io import StringIO

import pytest
from django.core.management import call_command

from learning_transfer.models import ImplementationLine

pytestmark = pytest.mark.django_db


def test_every_demo_line_was_added_no_later_than_it_was_done(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", days=7, stdout=StringIO())
    done = ImplementationLine.objects.exclude(completed_at=None).select_related("service")
    assert done.filter(service__name="Rowan Court").exists()
    for line in done:
        added = line.history.filter(history_type="+").get().history_date
        assert added <= line.completed_at, f"{line} at {line.service}: added after it was done"
