"""A dashboard list over a person's scope is compiled to SQL once for the roles they hold, and every
page reads its rows afresh: a row added after one page shows on the next, a role given or removed
lists the scope as it then stands, nobody is handed another person's list, and the rows come back as
the ORM would give them (related rows joined in, annotations, prefetches), in the same queries."""

import threading

import pytest
from django.db import connection, connections
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from providers import dashboards, permissions
from providers.choices import Role
from providers.models import RoleAssignment, Service
from tests.factories import ServiceFactory, UserFactory, give_role, person_with_role
from tests.per_request import in_a_request, queries_compiled

pytestmark = pytest.mark.django_db


def services_compiled(work) -> int:
    return queries_compiled(Service, work)


def _services_listed(user, size=5):
    """The person's services as a dashboard panel lists them: the first `size` by name, and the total."""
    return dashboards.first_rows_and_total(
        lambda: permissions.visible_services(user).select_related("region").order_by("name"),
        size,
        kept_for=(user, "services"),
    )


def _page(user, size=5):
    rows, total = in_a_request(lambda: _services_listed(user, size))
    return [service.name for service in rows], total


def test_the_list_is_compiled_once_for_the_roles_held(registered_manager, elm_house):
    assert services_compiled(lambda: _page(registered_manager)) == 1
    assert services_compiled(lambda: _page(registered_manager)) == 0  # the next page, same roles
    assert _page(registered_manager) == ([elm_house.name], 1)


def test_a_row_added_after_one_page_shows_on_the_next(registered_manager, elm_house, provider):
    give_role(registered_manager, Role.OPERATIONS_DIRECTOR, provider=provider)
    before, total = _page(registered_manager)
    ServiceFactory(provider=provider, region=elm_house.region, name="Aardvark House")
    after, total_after = _page(registered_manager)
    assert after[0] == "Aardvark House" and total_after == total + 1
    Service.objects.filter(name="Aardvark House").delete()
    assert _page(registered_manager) == (before, total)


def test_a_role_given_or_removed_lists_the_scope_as_it_then_stands(
    registered_manager, elm_house, birch_lodge
):
    assert _page(registered_manager) == ([elm_house.name], 1)
    given = give_role(registered_manager, Role.CLINICAL_LEAD, service=birch_lodge)
    assert _page(registered_manager) == (sorted([elm_house.name, birch_lodge.name]), 2)
    given.delete()
    assert _page(registered_manager) == ([elm_house.name], 1)


def test_nobody_is_handed_another_persons_or_providers_list(registered_manager, elm_house, birch_lodge):
    birch_manager = person_with_role(Role.REGISTERED_MANAGER, service=birch_lodge)
    elsewhere = ServiceFactory()  # another provider's service
    elsewhere_director = person_with_role(Role.OPERATIONS_DIRECTOR, provider=elsewhere.provider)
    outsider = UserFactory(username="no-roles")
    people = [registered_manager, birch_manager, elsewhere_director, outsider]

    for _ in range(2):  # the second time from the kept queries
        lists = in_a_request(lambda: [_services_listed(person) for person in people])
        assert lists == [([elm_house], 1), ([birch_lodge], 1), ([elsewhere], 1), ([], 0)]


def test_a_longer_list_of_the_same_scope_is_compiled_apart(registered_manager, elm_house, provider):
    give_role(registered_manager, Role.OPERATIONS_DIRECTOR, provider=provider)
    total = Service.objects.filter(provider=provider).count()
    assert len(_page(registered_manager, size=1)[0]) == 1
    assert len(_page(registered_manager, size=5)[0]) == min(5, total)


def test_kept_rows_come_back_as_the_orm_gives_them_in_the_same_queries(registered_manager, provider):
    give_role(registered_manager, Role.OPERATIONS_DIRECTOR, provider=provider)

    def listed():
        return dashboards.first_rows_and_total(
            lambda: (
                permissions.visible_services(registered_manager)
                .select_related("region", "provider")
                .prefetch_related("teams")
                .order_by("name")
            ),
            3,
            kept_for=(registered_manager, "services with teams"),
        )

    in_a_request(listed)  # compiled on this first page
    with CaptureQueriesContext(connection) as kept:
        rows, total = in_a_request(listed)
    expected = list(
        Service.objects.filter(provider=provider)
        .select_related("region", "provider")
        .prefetch_related("teams")
        .order_by("name")[:3]
    )
    assert [s.pk for s in rows] == [s.pk for s in expected]
    assert total == Service.objects.filter(provider=provider).count()
    assert rows[0].list_total == total
    with CaptureQueriesContext(connection) as reading:
        assert [(s.region.name, s.provider.name, list(s.teams.all())) for s in rows] == [
            (s.region.name, s.provider.name, list(s.teams.all())) for s in expected
        ]
    assert len(reading) == 0, "related rows joined in and prefetched, as the ORM would"
    assert len(kept) == 3, "the roles, the list, its prefetch"  # as many as the ORM asks


def test_outside_a_request_the_list_is_compiled_every_time(registered_manager, elm_house):
    def twice():
        assert _services_listed(registered_manager)[1] == 1
        assert _services_listed(registered_manager)[1] == 1

    assert services_compiled(twice) == 2


def _services_in(region):
    """A query about one object among many: its SQL is kept, run with each region asked about."""
    return permissions.compiled_once(
        None,
        "services of a region",
        lambda region_id: Service.objects.filter(region_id=region_id).order_by("name"),
        region_id=region.pk,
    ).rows()


def test_a_query_about_one_object_is_compiled_once_and_run_with_each_objects_values(
    elm_house, birch_lodge, provider
):
    other_region = ServiceFactory(provider=provider).region
    assert elm_house.region_id != other_region.pk
    assert services_compiled(lambda: _services_in(elm_house.region)) == 1
    for region in (elm_house.region, other_region, elm_house.region):
        assert services_compiled(lambda region=region: _services_in(region)) == 0
        assert _services_in(region) == list(Service.objects.filter(region=region).order_by("name"))
    assert all(service.region_id == other_region.pk for service in _services_in(other_region))


def test_a_value_the_query_does_not_hold_is_refused(elm_house):
    """A value the query never compares with would be silently ignored: it is an error instead."""
    with pytest.raises(ValueError, match="no parameter for region_id"):
        permissions.compiled_once(
            None, "every service", lambda region_id: Service.objects.order_by("name"), region_id=elm_house.pk
        )
    kept = permissions.compiled_once(
        None,
        "services of one region",
        lambda region_id: Service.objects.filter(region_id=region_id),
        region_id=elm_house.region_id,
    )
    with pytest.raises(ValueError, match="takes"):
        kept.given(service=elm_house.pk)


def test_kept_values_come_back_as_the_orm_gives_them(elm_house, birch_lodge):
    def names():
        return Service.objects.filter(region=elm_house.region).values_list("pk", "name").order_by("name")

    assert permissions.compiled_once(None, "names of a region's services", names).tuples() == list(names())
    assert permissions.compiled_once(None, "no services", lambda: Service.objects.none()).tuples() == []


def _services_with_ids(ids):
    return permissions.compiled_for_ids(
        "services with their regions",
        lambda ids: Service.objects.filter(pk__in=ids).select_related("region"),
        ids,
    ).rows()


def test_a_query_of_rows_by_id_is_compiled_once_for_each_power_of_two_ids(provider):
    services = [ServiceFactory(provider=provider) for _ in range(5)]
    ids = [service.pk for service in services]
    # 1, 2, 3-4 and 5-8 ids: four SQL texts for five lengths, each compiled the first time only.
    compiled = [services_compiled(lambda n=n: _services_with_ids(ids[:n])) for n in range(1, 6)]
    assert compiled == [1, 1, 1, 0, 1]
    for n in range(1, 6):
        assert services_compiled(lambda n=n: _services_with_ids(reversed(ids[:n]))) == 0
        assert sorted(s.pk for s in _services_with_ids(ids[:n])) == sorted(ids[:n])
    assert _services_with_ids([ids[2], ids[2]])[0].region == services[2].region
    assert _services_with_ids([]) == []
    # A long list (a large provider's colleagues): each id in its own place, none lost or mixed up.
    many = ids + list(range(max(ids) + 1, max(ids) + 600))
    assert sorted(s.pk for s in _services_with_ids(many)) == sorted(ids)


def _as_made(obj) -> dict:
    """What an object holds, as the page would read it: its values, where it came from, and the
    related objects joined to it (each as made too; None where the joined row was missing)."""
    values = {name: value for name, value in vars(obj).items() if name != "_state"}
    cached = {name: None if rel is None else _as_made(rel) for name, rel in obj._state.fields_cache.items()}
    return {
        "class": type(obj),
        "values": values,
        "db": obj._state.db,
        "adding": obj._state.adding,
        "cached": cached,
    }


def _kept_and_orm(name, build):
    return [_as_made(o) for o in permissions.compiled_once(None, name, build).rows()], [
        _as_made(o) for o in build()
    ]


def test_kept_rows_are_made_into_the_same_objects_as_the_orm_makes(provider, elm_house, quality_director):
    give_role(quality_director, Role.CLINICAL_LEAD, service=elm_house)  # beside a provider-wide role

    def roles():  # joined rows present and missing (a provider-wide role has no region or service)
        return RoleAssignment.objects.select_related(
            "user", "provider", "region", "service__region"
        ).order_by("pk")

    kept, orm = _kept_and_orm("roles with their places", roles)
    assert len(kept) == 2 and kept == orm
    assert {made["cached"]["service"] is None for made in kept} == {True, False}

    def deferred():  # a field left unread is read when first used, as from the ORM
        return Service.objects.filter(pk=elm_house.pk).defer("name").select_related("region")

    kept, orm = _kept_and_orm("services without their names", deferred)
    assert kept == orm and "name" not in kept[0]["values"]
    assert (
        permissions.compiled_once(None, "services without their names", deferred).rows()[0].name
        == elm_house.name
    )


def test_a_model_something_listens_to_being_made_is_made_by_its_init(elm_house):
    made = []

    def heard(sender, instance, **kwargs):
        made.append(instance.pk)

    post_init.connect(heard, sender=Service)
    try:
        rows = permissions.compiled_once(None, "every service", lambda: Service.objects.order_by("pk")).rows()
    finally:
        post_init.disconnect(heard, sender=Service)
    assert made == [service.pk for service in rows] and elm_house.pk in made


def test_a_kept_query_converts_its_values_on_each_threads_own_connection():
    """Each thread (a worker's request threads, the engine's) has a connection of its own: a query kept
    once turns the values it reads into what the ORM gives (a step's JSON measures into a list) on
    every thread it runs on, and goes on doing so on the first thread afterwards."""
    from escalation.models import StepTemplate

    def measures():
        return StepTemplate.objects.order_by("pk").values_list("code", "measures")

    kept = permissions.CompiledQuery(measures())
    expected = list(measures())
    assert expected and all(isinstance(value, list) for _, value in expected)
    assert kept.tuples() == expected
    elsewhere = []

    def on_another_thread():
        try:
            elsewhere.append(kept.tuples())
        finally:
            connections.close_all()

    thread = threading.Thread(target=on_another_thread)
    thread.start()
    thread.join()
    assert elsewhere == [expected]
    assert kept.tuples() == expected
