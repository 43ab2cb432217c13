"""The engine records when it last ran; pages warn staff when it has been quiet for 5 minutes."""

from datetime import timedelta

import pytest
from django.urls import reverse

from escalation import context_processors, engine
from escalation.models import EngineHeartbeat

from .conftest import at

pytestmark = pytest.mark.django_db


def test_the_engine_is_stale_until_it_first_runs(people):
    summary = context_processors.header_summary(people.quality_director)
    assert summary == {"unread_escalations": 0, "engine_stale": True, "engine_last_run": None}


def test_each_tick_records_the_heartbeat(people, time_machine):
    time_machine.move_to(at(23, 10), tick=False)
    engine.tick()
    engine.tick()
    beat = EngineHeartbeat.objects.get()
    assert (beat.runs, beat.last_finished_at) == (2, at(23, 10))
    assert context_processors.header_summary(people.quality_director)["engine_stale"] is False
    time_machine.move_to(at(23, 10, 5), tick=False)
    assert context_processors.header_summary(people.quality_director)["engine_stale"] is False
    time_machine.move_to(at(23, 10) + timedelta(minutes=5, seconds=1), tick=False)
    assert context_processors.header_summary(people.quality_director)["engine_stale"] is True


def test_staff_pages_warn_when_the_engine_is_not_running(client, sign_in, people, time_machine):
    time_machine.move_to(at(23, 10), tick=False)
    engine.tick()
    sign_in(people.quality_director)
    assert "Escalation engine not running" not in client.get(reverse("escalation:inbox")).text
    time_machine.move_to(at(23, 10, 6), tick=False)
    page = client.get(reverse("escalation:inbox")).text
    assert "Escalation engine not running" in page
    assert "last ran at 10:00, 23 Nov" in page
