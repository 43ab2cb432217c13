"""A work list tries each colleague's role once for each kind of row, not once per row: rows alike in
everything their permission reads name the same people, and rows that differ in any of it (the step's
role, its place, who was told) are each tried on their own."""

from unittest import mock

import pytest

from escalation import engine, services
from escalation.models import Escalation, Notification, StepRun
from escalation.panels import with_what_acting_reads
from providers import who_acts
from providers.permissions import once_a_request
from providers.who_acts import Colleagues, split_yours
from tests.per_request import in_a_request

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(23, 10, 30), tick=False)


def _tries(viewer, rows, perm):
    """Split `rows` as `viewer`; how many times every colleague's role was tried, and each row's actors."""
    with mock.patch.object(Colleagues, "_try_each_role", autospec=True, side_effect=_real_try) as tried:
        split_yours(viewer, rows, perm)
    return tried.call_count


_real_try = Colleagues._try_each_role


def test_a_services_checks_try_each_role_and_place_once_and_name_whom_each_row_would_alone(
    chains, provider, elm_house, shifts, subject, people, now
):
    run = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )
    rows = list(run.step_runs.select_related("region", "chain_run__service", "chain_run__provider"))
    perm = "escalation.record_step"
    others = [r for r in rows if not people.registered_manager.has_perm(perm, r)]
    kinds = {(r.role, r.region or r.chain_run.service or r.chain_run.provider) for r in others}
    assert len(others) > len(kinds) > 1, "the case has several checks of each of several roles"

    assert _tries(people.registered_manager, rows, perm) == len(kinds)
    for row in others:  # the same people as trying every role against that row alone
        assert row.actors == _real_try(Colleagues(people.registered_manager), perm, row)
        assert row.actors, f"someone records {row.code}"


def test_escalations_told_to_different_people_are_each_tried_on_their_own(
    chains, provider, elm_house, subject, people, now
):
    for minute in (1, 2):
        services.start_chain(
            "A", provider=provider, subject=subject(), anchor_at=at(20, 8), service=elm_house
        )
        engine.tick(at(20, 11, minute))  # A1 overdue: escalated to the Operations Director
    first, second = Escalation.objects.filter(step_run__code="A1").order_by("pk")
    # The Clinical Lead at Elm House is told of the second only: told and working there, they may act.
    Notification.objects.create(escalation=second, user=people.clinical_lead)
    rows = list(Escalation.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"))
    perm = "escalation.acknowledge_escalation"

    assert _tries(people.registered_manager, rows, perm) == 2
    named = [{person for group in row.actors for person in group.people} for row in rows]
    assert people.operations_director in named[0] and people.operations_director in named[1]
    assert people.clinical_lead not in named[0]
    assert people.clinical_lead in named[1]


def test_alike_escalations_are_tried_once(chains, provider, elm_house, subject, people, now):
    for minute in (1, 2, 3):
        services.start_chain(
            "A", provider=provider, subject=subject(), anchor_at=at(20, 8), service=elm_house
        )
        engine.tick(at(20, 11, minute))
    rows = list(Escalation.objects.filter(step_run__code="A1").prefetch_related("notifications"))
    assert len(rows) == 3
    assert _tries(people.registered_manager, rows, "escalation.acknowledge_escalation") == 1
    assert rows[0].actors == rows[1].actors == rows[2].actors != []


def test_a_step_is_tried_only_on_its_roles_holders_reaching_it_and_names_whom_every_colleague_would(
    chains, provider, elm_house, shifts, subject, people, now, django_assert_num_queries
):
    """A large provider has a thousand colleagues: a check is tried only on the holders of its role at
    a scope reaching its place (`decided_by(..., only=...)`), read in one query for the whole list, and
    names exactly the people trying every colleague would."""
    for chain in ("A", "B"):
        services.start_chain(
            chain, provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
        )
    rows = list(
        StepRun.objects.select_related("region", "chain_run__service", "chain_run__provider").order_by("pk")
    )
    perm = "escalation.record_step"
    viewer = people.registered_manager
    colleagues = Colleagues(viewer)

    def split_and_see_the_roles_indexed():
        split_yours(viewer, rows, perm, colleagues=colleagues)
        return set(once_a_request(("colleague index", colleagues.provider_ids), dict))

    with django_assert_num_queries(3):  # the viewer's roles, the checks' role holders' places, those tried
        indexed = in_a_request(split_and_see_the_roles_indexed)
    assert indexed == {row.role for row in rows if not row.yours}, "only the roles of the checks others do"
    everyone = len(colleagues._index())
    assert len(colleagues._loaded()) < everyone, "only the holders of the checks' roles are read"
    with mock.patch.dict(who_acts._ONLY, clear=True):  # as though the permission named no roles
        for row in rows:
            if not row.yours:
                assert row.actors == _real_try(Colleagues(viewer), perm, row), row.code
    assert sum(1 for row in rows if row.actors) > 3


def test_an_escalation_is_tried_only_on_its_target_role_the_nominated_individual_and_those_told(
    chains, provider, elm_house, birch_lodge, subject, people, now
):
    """Acting on an escalation needs its target role, the Nominated Individual or being told of it (and
    working there): only those colleagues are tried, and they are exactly whom trying everyone names."""
    for minute, service in ((1, elm_house), (2, elm_house), (3, birch_lodge)):
        services.start_chain("A", provider=provider, subject=subject(), anchor_at=at(20, 8), service=service)
        engine.tick(at(20, 11, minute))  # A1 overdue: escalated to the Operations Director
    first, second, elsewhere = Escalation.objects.filter(step_run__code="A1").order_by("pk")
    Notification.objects.create(escalation=second, user=people.clinical_lead)  # works at Elm House
    Notification.objects.create(escalation=elsewhere, user=people.clinical_lead)  # not at Birch Lodge
    rows = list(with_what_acting_reads(Escalation.objects.filter(step_run__code="A1")).order_by("pk"))
    perm = "escalation.acknowledge_escalation"
    viewer = people.registered_manager
    colleagues = Colleagues(viewer)

    in_a_request(lambda: split_yours(viewer, rows, perm, colleagues=colleagues))

    assert len(colleagues._loaded()) < len(colleagues._index()), "not every colleague is tried"
    with mock.patch.dict(who_acts._ONLY, clear=True):  # as though the permission named nobody
        for row in rows:
            assert not row.yours
            assert row.actors == _real_try(Colleagues(viewer), perm, row), row.pk
    named = [{person for group in row.actors for person in group.people} for row in rows]
    assert people.clinical_lead in named[1]
    assert people.clinical_lead not in named[0] | named[2], "told of Birch Lodge's, but works elsewhere"
    assert all({people.operations_director, people.nominated_individual} <= each for each in named)
