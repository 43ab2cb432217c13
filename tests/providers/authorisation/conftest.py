"""The world of two providers and a signed-in client for each persona, shared by the access stories."""

import logging

import pytest
import time_machine
from django.db import transaction
from django.test import Client, override_settings

from tests.signing_in import signed_in as sign_in

from .world import NOW, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the module, built in a transaction that is rolled back at the end."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    # Thousands of refusals are the point here: do not log each one with its traceback.
    quiet = logging.getLogger("django.request")
    quiet.setLevel(logging.ERROR)
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), media, transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)
    quiet.setLevel(logging.NOTSET)


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        clients = {"anonymous": Client()}
        for name, person in world.people.items():
            clients[name] = Client()
            sign_in(clients[name], person)
        yield clients
