"""The building blocks of access, and the organisation's own permissions.

Every app answers "may this person see / do this to this object" with a table of `rules` predicates
registered as Django permissions (`<app>/permissions.py`), asked with `user.has_perm(perm, obj)` in
views, services and the admin. The predicates are built from the blocks below, so each one checks the
same thing: a role the person holds *now* (their RoleAssignments, read again for every request), at the
object's provider, at a scope that reaches the object (the whole provider, the object's region, or its
service). Querysets (`visible_*`) are scoped with the same `covers` rule.

Commissioners are outsiders: they see released evidence packs of the services they commission and
nothing else, so the staff blocks here ignore commissioner assignments.
"""

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from copy import copy
from operator import attrgetter
from threading import local

import rules
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connections
from django.db.models import Q, QuerySet, prefetch_related_objects

from .choices import Role
from .models import Provider, Region, RoleAssignment, Service, User
from .rows import Populator

STAFF_ROLES = tuple(role for role in Role if role != Role.COMMISSIONER)
# The staff roles that do, oversee or report on the services' care work, and so see it: every one but
# the provider administrator. The administrator keeps the organisation (its people, roles, working
# hours, chain settings and imports) and reaches every service for that, but opens no case, check,
# escalation, notice or matched service: those hold residents' care and clinicians' notes.
WORK_ROLES = tuple(role for role in STAFF_ROLES if role != Role.PROVIDER_ADMINISTRATOR)

# The permissions of every app, with the one-line description a refusal quotes.
DESCRIPTIONS: dict[str, str] = {}
# What each permission lets a person do, as a refusal says it: "... can record this check".
ACTIONS: dict[str, str] = {}

# Role assignments read during the current request, by user id; None outside a request, where every
# question reads them again (a task or a long-lived object never acts on roles it no longer holds).
_request_assignments: ContextVar[dict | None] = ContextVar("request_assignments", default=None)


# --- the roles a person holds now -----------------------------------------------------------------


def _roles_of(person: int) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user_id=person).select_related(
        "provider", "region", "service", "commissioner"
    )


def assignments(user) -> list[RoleAssignment]:
    """The person's role assignments as they stand now (read once per request); none when inactive."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = _request_assignments.get()
    if cache is not None and user.pk in cache:
        return cache[user.pk]
    # Read on every request: the SQL is kept (compiled_once), run with this person.
    rows = compiled_once(None, "a person's roles", _roles_of, person=user.pk).rows()
    if cache is not None:
        cache[user.pk] = rows
    return rows


# Scopes (built_once) and compiled queries (compiled_once), each keyed by its name and the roles held.
_built_scopes: dict[tuple, object] = {}
BUILT_SCOPES_KEPT = 5000  # a few kilobytes each; the whole store is dropped when it grows past this
# Stand-ins for a compiled query's values, which are ids. They sit just under the largest integer a
# column holds (a value past a column's range compiles as matching nothing): a constant of the query
# equal to one would be taken for it, and no id of a place or a role comes near.
_STAND_IN = 2_147_400_000


def _roles_key(user) -> tuple:
    """What a scope is a function of: the person and the roles they hold in this request, each with
    its place (the role tried alone in `holding_only` has a key of its own)."""
    held = sorted(
        (a.role, a.provider_id, a.region_id or 0, a.service_id or 0, a.commissioner_id or 0)
        for a in assignments(user)
    )
    return (user.pk, tuple(held))


def built_once(user, name: str, build: Callable[[], QuerySet]) -> QuerySet:
    """A scoped queryset of the person's, built once for the roles they hold and handed out as a fresh
    copy each time, so its results are never shared and every use queries anew.

    Building a scope nests several subqueries over the person's roles: a few milliseconds of Python
    that every page would repeat (the header's unread count alone asks for one). `build` must depend
    only on the person's id and the roles read in this request (ids of their places, never a time or
    another table's rows read in Python), so the scope built for one set of roles is the same on every
    request: the worker keeps it, keyed by the person and those roles. A role given, moved or removed
    makes another key, so the next page builds the scope from the roles as they stand. Outside a
    request nothing is kept.
    """
    if _request_assignments.get() is None or not getattr(user, "is_authenticated", False):
        return build()
    key = (name, *_roles_key(user))
    scope = _built_scopes.get(key)
    if scope is None:
        if len(_built_scopes) >= BUILT_SCOPES_KEPT:
            _built_scopes.clear()
        scope = _built_scopes[key] = build()
    return scope.all()


class CompiledQuery:
    """A queryset turned into SQL once, and run afresh each time it is used: its rows are read from
    the database on every call, never kept.

    `rows()` turns the rows into objects as Django's own iteration does (ModelIterable: the model's
    columns, the rows `select_related` joined in, annotations; see `rows.Populator`), then runs the
    queryset's `prefetch_related`; `count()` counts them.

    A query may be compiled with stand-ins for some values (`stand_ins`: name -> a number none of its
    constants equals); `given(name=value)` is then the same SQL run with those values in their places.
    """

    def __init__(self, queryset: QuerySet, stand_ins: dict[str, int] | None = None):
        self.queryset = queryset
        self._converting = local()  # what _converted() worked out, on this thread's connection
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            self.sql, self.params = compiler.as_sql()
        except EmptyResultSet:  # a scope that can hold nothing (no role reaches anything)
            self.sql, self.places = None, dict.fromkeys(stand_ins or {}, [])
            return
        # What turning a row into objects reads, worked out by as_sql() above.
        self.select, self.col_count = compiler.select, compiler.col_count
        self.klass_info, self.annotation_col_map = compiler.klass_info, compiler.annotation_col_map
        # Where each stand-in fell among the parameters (a bool is no stand-in, though True == 1), in
        # one pass over them: a list of a thousand ids has a thousand stand-ins.
        named = {stand_in: name for name, stand_in in (stand_ins or {}).items()}
        self.places = {name: [] for name in stand_ins or {}}
        for i, param in enumerate(self.params):
            if isinstance(param, int) and not isinstance(param, bool) and param in named:
                self.places[named[param]].append(i)
        missing = [name for name, places in self.places.items() if not places]
        if missing:
            raise ValueError(f"The query has no parameter for {', '.join(missing)}.")

    def given(self, **values) -> "CompiledQuery":
        """The same query with `values` in the places of its stand-ins (this query when it has none)."""
        if values.keys() != self.places.keys():
            raise ValueError(f"The query takes {sorted(self.places)}, not {sorted(values)}.")
        if not values or self.sql is None:
            return self
        params = list(self.params)
        for name, places in self.places.items():
            for i in places:  # of the parameter's own type (the driver's 8-byte integer for a big one)
                params[i] = type(params[i])(values[name])
        bound = copy(self)
        bound.params = tuple(params)
        return bound

    def _fetch(self, sql: str) -> list:
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(sql, self.params)
            return cursor.fetchall()

    def count(self) -> int:
        if self.sql is None:
            return 0
        return self._fetch(f"SELECT COUNT(*) FROM ({self.sql}) AS counted")[0][0]

    def _converted(self, rows: list) -> Iterable:
        """`rows` as read, each value converted as Django's own iteration converts it (a JSON text to
        its list, a time to the time zone in use). Which converters apply is worked out once for each
        connection (a thread's own), not on every run: a page runs a dozen kept queries."""
        connection = connections[self.queryset.db]
        kept = getattr(self._converting, "kept", None)
        if kept is None or kept[0] is not connection:  # kept per thread: it holds the connection
            compiler = self.queryset.query.get_compiler(connection=connection)
            compiler.select, compiler.col_count = self.select, self.col_count
            fields = [column[0] for column in self.select[: self.col_count]]
            kept = self._converting.kept = (connection, compiler, compiler.get_converters(fields))
        _, compiler, converters = kept
        return compiler.apply_converters(rows, converters) if converters else rows

    def rows(self) -> list:
        if self.sql is None:
            return []
        populator = Populator(self.klass_info, self.select, self.queryset.db)
        objects = []
        for row in self._converted(self._fetch(self.sql)):
            obj = populator.object(row)
            for name, position in self.annotation_col_map.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        prefetch_related_objects(objects, *self.queryset._prefetch_related_lookups)
        return objects

    def tuples(self) -> list[tuple]:
        """The rows of a `values_list` query, each a tuple of its columns' values as Django gives them."""
        if self.sql is None:
            return []
        return [tuple(row) for row in self._converted(self._fetch(self.sql))]


def compiled_once(user, name: str, build: Callable[..., QuerySet], /, **values) -> CompiledQuery:
    """The person's query `name`, built by `build` and compiled to SQL once for the roles they hold;
    every use runs it afresh (`CompiledQuery`).

    Compiling a scoped query's nested subqueries costs a millisecond or two of Python, and every page's
    header and dashboard panels repeat theirs. `build` must depend only on the person's id and the roles
    read in this request, as for `built_once` (never the time, a page number or another table's rows
    read in Python): its SQL and parameters are then the same on every request, so the worker keeps
    them, keyed by the person and those roles. A role given, moved or removed makes another key.
    Outside a request nothing is kept.

    A query about one object among many (a trigger's matched services) names its values: `build` is
    called with a stand-in for each (`build(trigger=<stand-in>)`) and the kept SQL is run with these
    `values`. A query that depends on nobody's roles is asked for with `user` None, and kept always.
    """
    stand_ins = {key: _STAND_IN + n for n, key in enumerate(sorted(values))}
    if user is None:
        key = ("compiled", name)
    elif _request_assignments.get() is None or not getattr(user, "is_authenticated", False):
        return CompiledQuery(build(**stand_ins), stand_ins).given(**values)
    else:
        key = ("compiled", name, *_roles_key(user))
    compiled = _built_scopes.get(key)
    if compiled is None:
        if len(_built_scopes) >= BUILT_SCOPES_KEPT:
            _built_scopes.clear()
        compiled = _built_scopes[key] = CompiledQuery(build(**stand_ins), stand_ins)
    return compiled.given(**values)


def compiled_for_ids(name: str, build: Callable[[list[int]], QuerySet], ids: Iterable[int]) -> CompiledQuery:
    """`build(ids)`, a query of the rows whose id is among `ids`, run by SQL compiled once (`compiled_once`)
    for every list of as many ids, rounded up to a power of two (the last id repeated to fill it).

    A list names different rows from page to page (the colleagues a work list names), and compiling a
    query with a few joins costs more than reading its rows; rounding the length keeps a handful of SQL
    texts, not one for every length. `build` must depend on nothing but the ids."""
    ids = sorted(set(ids))
    if not ids:
        return CompiledQuery(build([]))  # nothing can match: no SQL is run
    size = 1 << (len(ids) - 1).bit_length()
    padded = ids + ids[-1:] * (size - len(ids))
    return compiled_once(
        None,
        f"{name} ({size} ids)",
        lambda **stand_ins: build(list(stand_ins.values())),
        **{f"id{n:05}": pk for n, pk in enumerate(padded)},
    )


def counted_once(user, name: str, build: Callable[[], QuerySet]) -> int:
    """How many rows the person's query `name` holds now, by a fresh query compiled once for the
    roles held (`compiled_once`; `build` as for it)."""
    return compiled_once(user, f"count of {name}", lambda: build().order_by().values("pk")).count()


class KeptList:
    """A list of the person's for Paginator: its count and each page are queries compiled to SQL once
    for the roles held (`compiled_once`) and read afresh each time. `build` must depend only on the
    person and their roles (and what `name` says, such as the states listed)."""

    def __init__(self, user, name: str, build: Callable[[], QuerySet]):
        self.user, self.name, self.build = user, name, build

    def count(self) -> int:
        return counted_once(self.user, self.name, self.build)

    def __getitem__(self, rows: slice) -> list:
        name = f"{self.name}, rows {rows.start} to {rows.stop}"
        return compiled_once(self.user, name, lambda: self.build()[rows]).rows()


def once_a_request(key: tuple, read: Callable):
    """What `read()` returns, read once per request under `key` (outside a request, read every time):
    for facts several parts of one page ask, such as the colleagues a work list names."""
    cache = _request_assignments.get()
    if cache is None:
        return read()
    if key not in cache:
        cache[key] = read()
    return cache[key]


@contextmanager
def holding_only(assignment: RoleAssignment):
    """Within the block, the assignment's holder holds only that role (to ask what it alone allows)."""
    token = _request_assignments.set({assignment.user_id: [assignment]})
    try:
        yield
    finally:
        _request_assignments.reset(token)


class RoleAssignmentsPerRequest:
    """Middleware: each request reads a person's roles afresh, once, and forgets them when it ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_assignments.set({})
        try:
            return self.get_response(request)
        finally:
            _request_assignments.reset(token)


def staff_assignments(user) -> list[RoleAssignment]:
    return [a for a in assignments(user) if a.role != Role.COMMISSIONER]


def does_the_work(user) -> bool:
    """Whether the person holds a role now that sees the services' work (`WORK_ROLES`): the learning
    and adoption pages are theirs, not the provider administrator's, who keeps the organisation."""
    return any(a.role in WORK_ROLES for a in staff_assignments(user))


def roles_held(user) -> list[str]:
    """Distinct roles the person holds, most senior first (the order of Role)."""
    held = {a.role for a in assignments(user)}
    return [role.value for role in Role if role.value in held]


def is_commissioner(user) -> bool:
    return bool(commissioner_assignments(user))


def is_provider_staff(user) -> bool:
    return bool(staff_assignments(user))


def covers(assignment: RoleAssignment, target) -> bool:
    """Whether a role held at this assignment's scope reaches `target` (a Service, Region or Provider).

    A provider-level role reaches everything of its provider, a regional role its region and the
    region's services, a service role its service only. Provider-wide things need a provider-level role.
    """
    a = assignment
    if isinstance(target, Service):
        if a.service_id:
            return a.service_id == target.pk
        if a.region_id:
            return a.region_id == target.region_id
        return a.provider_id == target.provider_id
    if isinstance(target, Region):
        if a.service_id:
            return False
        return a.region_id == target.pk if a.region_id else a.provider_id == target.provider_id
    if isinstance(target, Provider):
        return not a.service_id and not a.region_id and a.provider_id == target.pk
    return False


def holds_now(user, roles: Iterable[str], target) -> bool:
    """Whether the person holds one of `roles` now at a scope that reaches `target`."""
    wanted = set(roles)
    return target is not None and any(a.role in wanted and covers(a, target) for a in assignments(user))


def works_at(user, target) -> bool:
    """Whether the person holds a staff role now that sees the work at `target` (`WORK_ROLES`: any
    but the provider administrator's)."""
    return holds_now(user, WORK_ROLES, target)


# --- predicate builders for the permission tables ----------------------------------------------


def _place_name(at: str | Callable | None) -> str:
    return getattr(at, "__name__", at) or "object"


def _place(at: str | Callable | None) -> Callable:
    """Where an object lives: itself (None), a dotted attribute path, or a function of the object."""
    if at is None:
        return lambda obj: obj
    if callable(at):
        return at
    return attrgetter(at)


def holds(*roles: str, at: str | Callable | None = None) -> rules.Predicate:
    """The person holds one of `roles` now, at a scope reaching the object's place (`at`)."""
    place = _place(at)
    names = "_".join(roles) if len(roles) < 3 else f"{len(roles)}_roles"

    def predicate(user, obj):
        return obj is not None and holds_now(user, roles, place(obj))

    return rules.predicate(predicate, name=f"holds_{names}_at_{_place_name(at)}")


def staff_at(at: str | Callable | None = None) -> rules.Predicate:
    """The person holds a staff role now that sees the services' work (`WORK_ROLES`) at a scope
    reaching the object's place (`at`)."""
    place = _place(at)

    def predicate(user, obj):
        return obj is not None and works_at(user, place(obj))

    return rules.predicate(predicate, name=f"staff_at_{_place_name(at)}")


def is_the(person: str) -> rules.Predicate:
    """The person is the one the object names (its owner, say). Always combined with a current role:
    being named once never outlives the role that made it right."""
    getter = attrgetter(f"{person}_id")

    def predicate(user, obj):
        return obj is not None and user.pk is not None and getter(obj) == user.pk

    return rules.predicate(predicate, name=f"is_the_{person}")


@rules.predicate
def works_for(user, provider) -> bool:
    """The person holds a staff role now at the provider, at any scope: for what every member of its
    staff reads about the provider itself (its working hours)."""
    return provider is not None and any(a.provider_id == provider.pk for a in staff_assignments(user))


def register(table: dict[str, tuple[rules.Predicate, str]], actions: dict[str, str] | None = None) -> None:
    """Register an app's table of permissions: name -> (predicate, one-line description), and what
    each lets a person do in a few plain words ("record this check"), for refusals to quote."""
    for name, (predicate, description) in table.items():
        rules.add_perm(name, predicate)
        DESCRIPTIONS[name] = description
    ACTIONS.update(actions or {})


class Refused(PermissionDenied):
    """A person may not do `perm` to `obj`. The refusal page names who can, to the person's own
    colleagues only (providers.who_acts)."""

    def __init__(self, perm: str, obj, message: str = ""):
        super().__init__(message or DESCRIPTIONS.get(perm, "You cannot do this."))
        self.perm = perm
        self.obj = obj


def require_perm(user, perm: str, obj) -> None:
    """Refuse (403, naming who can) unless `user.has_perm(perm, obj)`."""
    if not user.has_perm(perm, obj):
        raise Refused(perm, obj)


def providers_where(user, perm: str) -> list[Provider]:
    """The providers the person works for at which they have `perm` (pages not about one object ask
    which provider they are for), in name order. Those of `visible_providers`, taken from the roles
    read for this request (each comes with its provider) rather than asked of the database again."""
    providers = {a.provider_id: a.provider for a in staff_assignments(user)}
    return sorted(
        (p for p in providers.values() if user.has_perm(perm, p)), key=lambda p: (p.name.casefold(), p.pk)
    )


# --- the organisation's permissions ------------------------------------------------------------

PERMISSIONS = {
    # The administrator too: a service's page is its profile, teams, shifts and people.
    "providers.view_service": (holds(*STAFF_ROLES), "Staff whose role (now) reaches the service."),
    "providers.administer_provider": (
        holds(Role.PROVIDER_ADMINISTRATOR),
        "Only the provider's administrator.",
    ),
    # Who was given or lost access, by whom and why: the administrator who changes it, and the Nominated
    # Individual accountable to the regulator for who could see and do what.
    "providers.read_access_history": (
        holds(Role.PROVIDER_ADMINISTRATOR, Role.NOMINATED_INDIVIDUAL),
        "Only the provider's administrator or Nominated Individual.",
    ),
    # Every deadline a person is set is counted in these hours, so everyone may read them.
    "providers.read_working_hours": (works_for, "Staff of the provider."),
}
ACTIONS.update(
    {
        "providers.view_service": "open this service",
        "providers.administer_provider": "change the provider's people, roles and working hours",
        "providers.read_access_history": "read who was given or lost access, by whom and why",
        "providers.read_working_hours": "read the provider's working hours",
    }
)
register(PERMISSIONS)


# --- scoped querysets -------------------------------------------------------------------------


def _scope_filter(user, roles: Iterable[str] | None = None) -> Q | None:
    """A Service filter covering every service reached by the person's staff roles (or some of them)."""
    wanted = set(roles) if roles is not None else None
    condition = None
    for a in staff_assignments(user):
        if wanted is not None and a.role not in wanted:
            continue
        if a.service_id:
            part = Q(pk=a.service_id)
        elif a.region_id:
            part = Q(region_id=a.region_id)
        else:
            part = Q(provider_id=a.provider_id)
        condition = part if condition is None else condition | part
    return condition


def visible_services(user, roles: Iterable[str] | None = WORK_ROLES) -> QuerySet[Service]:
    """Services whose work the person's roles reach now (`WORK_ROLES`: the provider administrator's
    role reaches none), or only through some of their roles; `organisation_services` for the
    organisation's own pages."""
    condition = _scope_filter(user, roles)
    if condition is None:
        return Service.objects.none()
    return Service.objects.filter(condition)


def organisation_services(user) -> QuerySet[Service]:
    """Services any staff role of the person's reaches now, the provider administrator's among them:
    the organisation's pages (its services, their teams, shifts and people)."""
    return visible_services(user, STAFF_ROLES)


def visible_providers(user) -> QuerySet[Provider]:
    """Providers the person works for now (commissioners work for none)."""
    return Provider.objects.filter(pk__in={a.provider_id for a in staff_assignments(user)})


def commissioner_assignments(user) -> list[RoleAssignment]:
    """The person's Commissioner roles: each names an organisation and the provider it is held at."""
    return [a for a in assignments(user) if a.role == Role.COMMISSIONER]


def provider_level_ids(user, roles: Iterable[str] = STAFF_ROLES) -> set[int]:
    """Providers where the person holds one of `roles` (staff roles by default) for the whole provider."""
    wanted = set(roles)
    return {
        a.provider_id
        for a in staff_assignments(user)
        if a.role in wanted and not a.region_id and not a.service_id
    }


def commissioned_services(user) -> QuerySet[Service]:
    """Services commissioned by the organisations the person acts for, at the providers where they
    hold the role; empty for everyone else."""
    condition = None
    for a in commissioner_assignments(user):
        part = Q(provider_id=a.provider_id, commissioners=a.commissioner_id)
        condition = part if condition is None else condition | part
    if condition is None:
        return Service.objects.none()
    return Service.objects.filter(condition).distinct()


# --- who holds a role (for naming owners and telling people) ----------------------------------


def people_holding(role: str, service: Service | None = None, provider: Provider | None = None) -> list[User]:
    """The named people holding `role` closest to the service: the service, then its region, then the
    provider. Empty when nobody holds it (a role gap the caller must handle)."""
    provider_id = service.provider_id if service is not None else provider.pk
    rows = list(
        RoleAssignment.objects.filter(role=role, provider_id=provider_id, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    if service is None:
        return closest_holders(rows)
    return closest_holders(rows, service_id=service.pk, region_id=service.region_id)


def closest_holders(assignments, service_id: int | None = None, region_id: int | None = None) -> list[User]:
    """From one role's assignments in one provider, the people closest to a service (or a region): those
    at the service, else those for its region (or that region), else those for the whole provider."""
    tiers = []
    if service_id is not None:
        tiers.append(lambda a: a.service_id == service_id)
    if region_id is not None:
        tiers.append(lambda a: a.region_id == region_id and not a.service_id)
    for matches in tiers:
        found = [a.user for a in assignments if matches(a)]
        if found:
            return found
    return [a.user for a in assignments if not a.service_id and not a.region_id]
