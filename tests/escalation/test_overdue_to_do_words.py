"""An overdue step's escalation says what to do in a plain sentence: the step's name quoted, its code
after it, never "Get Check … recorded"."""

import importlib

import pytest
from django.apps import apps

from escalation import engine
from escalation.models import Escalation

from .conftest import at

pytestmark = pytest.mark.django_db


def test_the_to_do_of_an_overdue_step_reads_as_a_sentence(chain_a, people):
    [a2] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    assert a2.action == (
        "Make sure “Check every service received the learning” (A2) is recorded without delay. "
        "If it breaches its threshold: Trigger same-day redistribution of the learning notice."
    )
    assert "Get " not in a2.action


def test_escalations_raised_with_the_old_words_are_reworded_once(chain_a, people):
    """A database made before the change holds "Get … recorded" to-dos; the data migration rewords
    them, leaves any other words alone, and changes nothing when run again."""
    [a2] = [e for e in engine.tick(at(23, 10, 19)).overdue if e.step_run.code == "A2"]
    old = (
        "Get Check every service received the learning (A2) recorded without delay. "
        "If it breaches its threshold: Trigger same-day redistribution of the learning notice."
    )
    Escalation.objects.filter(pk=a2.pk).update(action=old)
    other = Escalation.objects.exclude(pk=a2.pk).first()
    Escalation.objects.filter(pk=other.pk).update(action="Get the manager to call the family.")

    migration = importlib.import_module("escalation.migrations.0018_old_escalations_say_make_sure")
    migration.reword(apps, None)
    migration.reword(apps, None)

    a2.refresh_from_db()
    assert a2.action == (
        "Make sure “Check every service received the learning” (A2) is recorded without delay. "
        "If it breaches its threshold: Trigger same-day redistribution of the learning notice."
    )
    assert Escalation.objects.get(pk=other.pk).action == "Get the manager to call the family."
