"""Who can act on a thing: named people and their roles, for work lists and refusals.

A list shows each person the work that is theirs to do apart from the work others do at their
services, naming who does it (an oversight role that can act on every row, such as the Nominated
Individual on escalations, is named once for the list, not on each row); a refusal names who can.
Both ask the one permission layer: each staff role assignment at the viewer's own providers is tried
alone (as though its holder held only that role) against the permission, so the people named are
exactly those `user.has_perm(perm, obj)` would let act, with the role and the place that let them.

Only the viewer's own providers are looked at, so a person from another provider, or a commissioner
(who holds no staff role), never learns a name.

Trying every colleague's role is the costly part of a list (a service's checks page tries about 50
roles on each of 25 rows), so a permission may declare what of an object its answer depends on
(`decided_by`): rows of one list that agree on it are tried once. A large provider has a thousand
colleagues or more (a registered manager and leads at each of 500 services), so a permission may also
declare the roles and the place its holders must reach (`decided_by(..., only=...)`): only the colleagues
holding such a role at a scope reaching that place (`covers`, the rule every permission reaches places
by) are read and tried, from a light index of their colleagues' role and place read for those roles.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import rules

from .choices import ROLE_SCOPE, Role, Scope
from .models import RoleAssignment
from .permissions import (
    ACTIONS,
    STAFF_ROLES,
    compiled_for_ids,
    compiled_once,
    covers,
    holding_only,
    once_a_request,
    staff_assignments,
)

ROLE_ORDER = {role.value: position for position, role in enumerate(Role)}
# Roles whose holders may act on any of their provider's work of a kind (the Nominated Individual on
# every escalation): true on every row of a list, so a list names them once, under it.
OVERSIGHT_ROLES = (Role.NOMINATED_INDIVIDUAL,)

# Permission -> what of an object its predicate reads, and who alone can pass it (see decided_by).
_DECIDED_BY: dict[str, Callable] = {}
_ONLY: dict[str, Callable] = {}
_UNLESS: dict[str, Callable] = {}


def decided_by(
    perm: str, key: Callable, only: Callable | None = None, unless: Callable | None = None
) -> None:
    """Declare that whether a role lets its holder do `perm` to an object depends on `key(obj)` alone
    (everything of the object the permission's predicate reads, hashable), so two objects with the same
    key have the same people able to act. `only(obj)`, when given, returns (roles, place) or (roles,
    place, people): nobody passes the predicate but a role held at a scope reaching that place, one of
    `roles` or held by one of `people` (user ids: those told of an escalation act whatever their role),
    so no one else is tried. `unless(obj)`, when given, returns (roles, place, still): a person holding
    one of `roles` reaching that place passes through none of their other roles but those in `still`
    (a role tried alone cannot know of the others). Declared beside the predicate, which all must
    follow."""
    _DECIDED_BY[perm] = key
    if only is not None:
        _ONLY[perm] = only
    if unless is not None:
        _UNLESS[perm] = unless


# A role's display name -> the scope it is held at, to say a role nobody holds where it is held.
_SCOPE_OF_LABEL = {role.label: scope for role, scope in ROLE_SCOPE.items()}


def nobody_holds(place, role_label: str) -> str:
    """What a row says when nobody can do its work because nobody holds its role where it is done:
    "Nobody at Elm House holds the Clinical Lead role yet: ask your provider administrator".

    A role held for the whole provider (the Quality Director) is said for the provider, wherever the
    work is done: "Nobody at Oakwood Care Group holds the Quality Director role yet: …", since giving
    it to someone at one service is not what is missing."""
    if _SCOPE_OF_LABEL.get(role_label) == Scope.PROVIDER:
        place = getattr(place, "provider", None) or place  # a service's or region's provider
    return f"Nobody at {place} holds the {role_label} role yet: ask your provider administrator"


class Colleague(NamedTuple):
    """One staff role assignment as the index holds it: enough to tell whether it reaches a place."""

    pk: int
    role: str
    user_id: int
    provider_id: int
    region_id: int | None
    service_id: int | None


@dataclass(frozen=True)
class Actors:
    """The people holding one role at one place (a service, a region or the provider) who can act."""

    role: str
    place: str
    people: tuple

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def names(self) -> str:
        names = [str(person) for person in self.people]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    def __str__(self):
        """ "the Clinical Lead at Elm House (Priya Shah)"."""
        return f"the {self.role_label} {self.place} ({self.names})"


def _place(assignment: RoleAssignment) -> str:
    if assignment.service_id:
        return f"at {assignment.service}"
    if assignment.region_id:
        return f"for the {assignment.region} region"
    return f"for {assignment.provider}"


def _closest_first(assignment: RoleAssignment) -> tuple:
    """The people closest to the work first: a service's, then a region's, then the provider's; at
    each, the least senior role first (the Nominated Individual, who can act on much, comes last), then
    by place and by name."""
    breadth = 0 if assignment.service_id else 1 if assignment.region_id else 2
    user = assignment.user
    return (
        breadth,
        -ROLE_ORDER.get(assignment.role, 0),
        str(assignment.service or assignment.region or ""),
        user.last_name,
        user.first_name,
        assignment.pk,
    )


def _with_people_and_places(ids: list[int]):
    """The role assignments of `ids` with what naming their holders and places reads."""
    return RoleAssignment.objects.filter(pk__in=ids).select_related("user", "provider", "region", "service")


class Colleagues:
    """The staff role assignments at the viewer's providers: an index of every colleague's role and
    place, read with one query when first asked, and the assignments themselves (with their people
    and places) read for those a permission may let act, in one query per list. Both are kept for the
    request: a dashboard's panels each split a list and name the same colleagues."""

    def __init__(self, viewer):
        self.provider_ids = tuple(sorted({a.provider_id for a in staff_assignments(viewer)}))
        self._answers: dict[tuple, list[Actors]] = {}  # (perm, key) -> who can, for decided_by perms
        self._colleagues: list[Colleague] | None = None
        self._read_so_far: dict[int, RoleAssignment] | None = None
        self._reaching: dict[tuple, list[int]] = {}  # (roles, place) -> the colleagues who may act

    def _index(self, roles: Iterable[str] = STAFF_ROLES) -> list[Colleague]:
        """The colleagues holding one of `roles` (by default every staff role), from an index of their
        role and place kept for the request and read role by role as lists ask, each role at most once:
        a large provider's registered managers and clinical leads (a thousand rows) are read only by a
        list whose rows they may act on."""
        if not self.provider_ids:
            return []
        index = once_a_request(("colleague index", self.provider_ids), dict)  # role -> its colleagues
        wanted = {str(role) for role in roles}
        missing = wanted - index.keys()
        if missing:
            index.update((role, []) for role in missing)
            for colleague in self._read_index(missing):
                index[colleague.role].append(colleague)
        return [colleague for role in sorted(wanted) for colleague in index[role]]

    def _read_index(self, roles: set[str]) -> list[Colleague]:
        """The colleagues holding `roles`, by SQL kept for these providers and roles: a page asks the
        same roles on every request."""
        roles = sorted(roles)
        rows = compiled_once(
            None,
            f"the colleague index of providers {self.provider_ids} for {', '.join(roles)}",
            lambda: RoleAssignment.objects.filter(
                provider_id__in=self.provider_ids, user__is_active=True, role__in=roles
            ).values_list("pk", "role", "user_id", "provider_id", "region_id", "service_id"),
        )
        return [Colleague(*row) for row in rows.tuples()]

    def _loaded(self) -> dict[int, RoleAssignment]:
        """The assignments read so far this request, by id."""
        if self._read_so_far is None:
            self._read_so_far = once_a_request(("colleagues", self.provider_ids), dict)
        return self._read_so_far

    def _candidates(self, perm: str, obj) -> list[int]:
        """The ids of the colleagues the permission may let act on `obj` (all, unless it says `only`)."""
        only = _ONLY.get(perm)
        if only is None:
            return [colleague.pk for colleague in self._index()]
        roles, place, *people = only(obj)
        people = frozenset(people[0]) if people else frozenset()
        asked = (tuple(roles), type(place), place.pk, people)  # a list's rows share a few of each
        if asked not in self._reaching:
            index = self._index() if people else self._index(roles)  # people may hold any role
            self._reaching[asked] = [
                c.pk for c in index if covers(c, place) and (c.role in roles or c.user_id in people)
            ]
        return self._reaching[asked]

    def read(self, perm: str, objs: Iterable) -> None:
        """Read, in one query, the colleagues who may be tried on any of `objs` and are not read yet."""
        objs = list(objs)
        only = _ONLY.get(perm)
        if only is not None:  # the roles any row may need, indexed in one query for the whole list
            asked = [only(obj) for obj in objs]
            anyone = any(people for _, _, *people in asked if people and people[0])
            self._index(STAFF_ROLES if anyone else {role for roles, *_ in asked for role in roles})
        loaded = self._loaded()
        wanted = {pk for obj in objs for pk in self._candidates(perm, obj)} - loaded.keys()
        if wanted:
            rows = compiled_for_ids(
                "colleagues with their people and places", _with_people_and_places, wanted
            )
            loaded.update((row.pk, row) for row in rows.rows())

    def who_can(self, perm: str, obj) -> list[Actors]:
        """Who can do `perm` to `obj` now, grouped by role and place, the closest to the work first.

        For a permission that declared what decides it, an object like one already asked about gets
        the same answer without trying every role again."""
        key = _DECIDED_BY.get(perm)
        if key is None:
            return self._try_each_role(perm, obj)
        asked = (perm, key(obj))
        if asked not in self._answers:
            self._answers[asked] = self._try_each_role(perm, obj)
        return list(self._answers[asked])

    def _try_each_role(self, perm: str, obj) -> list[Actors]:
        self.read(perm, [obj])  # nothing to read when the list read them all at once
        loaded = self._loaded()
        groups: dict[tuple, list] = {}
        for assignment in sorted((loaded[pk] for pk in self._candidates(perm, obj)), key=_closest_first):
            with holding_only(assignment):
                allowed = rules.has_perm(perm, assignment.user, obj)
            if allowed:
                key = (assignment.role, _place(assignment))
                people = groups.setdefault(key, [])
                if assignment.user not in people:
                    people.append(assignment.user)
        barred, still = self._barred(perm, obj)
        found = [
            ((role, place), [person for person in people if role in still or person.pk not in barred])
            for (role, place), people in groups.items()
        ]
        return [Actors(role, place, tuple(people)) for (role, place), people in found if people]

    def _barred(self, perm: str, obj) -> tuple[set[int], set[str]]:
        """The people `perm`'s `unless` bars from `obj` (user ids, from the request's index), and the
        roles through which they may still act."""
        unless = _UNLESS.get(perm)
        if unless is None:
            return set(), set()
        roles, place, still = unless(obj)
        return {c.user_id for c in self._index(roles) if covers(c, place)}, set(still)


def split_yours(viewer, rows: Iterable, perm: str, of: Callable = lambda row: row, colleagues=None):
    """Split a list's rows into the viewer's to do and those others do, keeping their order.

    Each row is marked `yours` when `viewer.has_perm(perm, of(row))`; each other row gets the `actors`
    who can do it (a list of Actors, empty when nobody can). Rows of every list are split by this one
    function, in a fixed number of queries however many rows there are (the permission's predicate
    must answer from what the caller loaded with the rows).
    """
    colleagues = colleagues or Colleagues(viewer)
    yours, others = [], []
    for row in rows:
        row.yours = viewer.has_perm(perm, of(row))
        row.actors = []
        (yours if row.yours else others).append(row)
    colleagues.read(perm, [of(row) for row in others])  # everyone the rows may name, in one query
    for row in others:
        row.actors = colleagues.who_can(perm, of(row))
    return yours, others


def oversight_once(rows: list) -> str:
    """Name the oversight roles once for a list split by `split_yours`, not on each of its rows.

    The people of an oversight role who can act on every one of `rows` are taken out of each row's
    `actors` (rows then name the people at their own level: the target role holder at the service or
    region), unless they are all a row has (an escalation to the Nominated Individual names them).
    Returns the line that goes under the list ("The Nominated Individual for Oakwood Care Group (Jo
    Bloggs) can also act on any of these."), or "" when no oversight role can act on them all.
    """
    if not rows:
        return ""
    everywhere = [
        group
        for group in rows[0].actors
        if group.role in OVERSIGHT_ROLES and all(group in row.actors for row in rows[1:])
    ]
    if not everywhere:
        return ""
    for row in rows:
        own = [group for group in row.actors if group not in everywhere]
        if own:
            row.actors = own
    said = join_and([str(group) for group in everywhere])
    return f"{said[0].upper()}{said[1:]} can also act on any of these."


def refusal(viewer, perm: str, obj, colleagues: Colleagues | None = None) -> str:
    """What a refusal tells the viewer about who can act, in plain English ("Only the Clinical Lead at
    Elm House (Priya Shah) can record this check."). Empty when nobody at the viewer's providers can,
    and always for a commissioner or another provider's staff, who learn no names."""
    actors = (colleagues or Colleagues(viewer)).who_can(perm, obj)
    if not actors:
        return ""
    return f"Only {join_or(_by_place(actors))} can {ACTIONS.get(perm, 'do this')}."


def _by_place(actors: list[Actors]) -> list[str]:
    """Each place once: "the Clinical Lead at Elm House (Priya Shah)", or with several roles there,
    "the Performance Analyst (Nina Kowalski) or Quality Director (Priya Shah) for Oakwood Care Group"."""
    places: dict[str, list[Actors]] = {}
    for group in actors:
        places.setdefault(group.place, []).append(group)
    said = []
    for place, groups in places.items():
        if len(groups) == 1:
            said.append(str(groups[0]))
        else:
            roles = join_or([f"{group.role_label} ({group.names})" for group in groups])
            said.append(f"the {roles} {place}")
    return said


def join_or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


def join_and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
