"""Access follows the role a person holds now, at the object's provider: being told of an escalation
or owning a notice never outlives the role, and a role at one provider gives nothing at another."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reporting_control import services as reporting
from reporting_control.choices import LineKind, LineState
from tests.signing_in import signed_in

from .world import NOW, build_world, move_removed_person_away

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_and_clock(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def what_the_manager_reaches(client, oakwood) -> dict:
    """What a registered manager told of oakwood's escalation, and owning its notice, can reach."""
    escalation, notice = oakwood.objects["escalation"], oakwood.objects["notice"]
    detail = reverse("escalation:detail", args=[escalation.pk])
    return {
        "escalation": client.get(detail).status_code,
        "case": client.get(reverse("escalation:chain_run", args=[escalation.chain_run_id])).status_code,
        "inbox lists it": detail in client.get(reverse("escalation:inbox")).text,
        "notice list lists it": reverse("learning_transfer:match_detail", args=[notice.matched_service_id])
        in client.get(reverse("learning_transfer:notice_list")).text,
        "dashboard lists it": detail in client.get(reverse("dashboard", args=["registered_manager"])).text,
    }


def test_access_ends_when_the_role_is_removed(client):
    world = build_world(move_away=False)
    oakwood, manager = world.places["oakwood"], world.people["removed"]
    escalation, notice = oakwood.objects["escalation"], oakwood.objects["notice"]
    assert escalation.notifications.filter(user=manager).exists() and notice.owner == manager
    signed_in(client, manager)
    assert what_the_manager_reaches(client, oakwood) == {
        "escalation": 200,
        "case": 200,
        "inbox lists it": True,
        "notice list lists it": True,
        "dashboard lists it": True,
    }

    # Asked outside a request, of the same user object, before and after: nothing is remembered.
    assert manager.has_perm("learning_transfer.acknowledge_notice", notice)
    assert manager.has_perm("escalation.acknowledge_escalation", escalation)

    move_removed_person_away(world)  # no role at oakwood any more; a manager at riverside instead

    assert what_the_manager_reaches(client, oakwood) == {
        "escalation": 404,
        "case": 404,
        "inbox lists it": False,
        "notice list lists it": False,
        "dashboard lists it": False,
    }
    assert client.post(reverse("learning_transfer:notice_acknowledge", args=[notice.pk])).status_code == 404
    assert client.post(reverse("escalation:acknowledge", args=[escalation.pk])).status_code == 404
    notice.refresh_from_db()
    escalation.refresh_from_db()
    assert notice.acknowledged_at is None
    assert escalation.state == "raised"
    # The services refuse too, whoever calls them.
    assert not manager.has_perm("learning_transfer.acknowledge_notice", notice)
    assert not manager.has_perm("escalation.acknowledge_escalation", escalation)


def test_a_role_at_one_provider_gives_nothing_at_another(client):
    world = build_world()
    person = world.people["two_providers"]  # compliance manager at oakwood, performance analyst at riverside
    theirs = world.places["riverside"].objects
    update, line = theirs["draft"], theirs["draft_line"]

    with pytest.raises(PermissionDenied):
        reporting.check_evidence(update, by=person)
    with pytest.raises(PermissionDenied):
        reporting.add_line(update, by=person, claim="Shared everywhere.", kind=LineKind.PROVIDER_WIDE)
    with pytest.raises(PermissionDenied):
        reporting.decide_line(line, by=person, state=LineState.FROZEN, reason="Not mine to freeze.")

    signed_in(client, person)
    assert client.post(reverse("reporting_control:evidence_check", args=[update.pk])).status_code == 403
    decide = reverse("reporting_control:line_decide", args=[update.pk, line.pk])
    assert (
        client.post(decide, {f"line{line.pk}-state": "frozen", f"line{line.pk}-reason": "x"}).status_code
        == 403
    )
    form = {"claim": "Shared everywhere.", "kind": LineKind.PROVIDER_WIDE}
    assert client.post(reverse("reporting_control:line_create", args=[update.pk]), form).status_code == 403
    update.refresh_from_db()
    line.refresh_from_db()
    assert update.evidence_checked_at is None and line.state != LineState.FROZEN
    assert update.lines.count() == 1

    # At oakwood, where they are the compliance manager, the same check runs.
    ours = world.places["oakwood"].objects["draft"]
    reporting.check_evidence(ours, by=person)
    ours.refresh_from_db()
    assert ours.evidence_checked_at is not None
