"""Who sees which of a trigger's matched services, on its page and in its CSV: every persona who opens
the trigger, with a second matched service (S3) beside S2. A matched service's name, figures and notice
owner show only to a person whose role reaches it (provider-level roles, the region's deputy, the
service's own staff); the others read how many services the learning went to, never which."""

import csv
import io

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from learning_transfer.models import MatchedService

from .test_authorisation_matrix import HELD, WORK, either, may
from .world import NOW, PERSONAS

pytestmark = pytest.mark.django_db

OPENS_THE_TRIGGER = either(may(*WORK, reach="s1"), may(*WORK, reach="s2"))


def _seen(client, place) -> tuple[str, set[str]]:
    """The trigger's page and the services of its CSV, as the client's person gets them."""
    trigger = place.objects["trigger"]
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk]))
    download = client.get(reverse("learning_transfer:trigger_services_csv", args=[trigger.pk]))
    assert page.status_code == download.status_code == 200
    rows = csv.DictReader(io.StringIO(download.content.decode("utf-8-sig")))
    return page.content.decode(), {row["Service"] for row in rows}


def test_a_matched_service_is_shown_only_to_the_people_whose_role_reaches_it(
    world, clients, django_db_blocker
):
    wrong = []
    place = world.places["oakwood"]
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        for persona in PERSONAS:
            if not OPENS_THE_TRIGGER(persona, "oakwood"):
                continue
            with transaction.atomic():
                MatchedService.objects.create(
                    trigger=place.objects["trigger"], service=place.s3, included=True
                )
                page, in_csv = _seen(clients[persona], place)
                transaction.set_rollback(True)
            for service, key in ((place.s2, "s2"), (place.s3, "s3")):
                expected = may(*WORK, reach=key)(persona, "oakwood")
                if (service.name in page) != expected or (service.name in in_csv) != expected:
                    wrong.append(f"{persona}: {service.name} {'hidden' if expected else 'shown'}")
            service_level = all(scope not in ("provider", "region") for _, scope in HELD["oakwood"][persona])
            if service_level and "across the provider" not in page:
                wrong.append(f"{persona}: no count of the other services")
    assert wrong == [], "\n".join(wrong)
