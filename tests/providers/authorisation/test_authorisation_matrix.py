"""Every URL of the app × every persona × objects of both providers × GET and POST.

What each persona may do is declared below, from the domain's rules of access, without asking the
code under test: a persona "may" when one of its roles (world.PERSONA_ROLES) is named and its scope
reaches the object. A URL added without an entry here fails `test_every_url_has_an_entry`.

A request is *allowed* when it answers 200, or redirects anywhere but a sign-in page; 403, 404 and
405 are refusals. Every request runs in a transaction rolled back afterwards, so one person's action
never changes what the next one finds. List pages are also read: an object of a provider is listed
only to the people who may see it.
"""

from collections.abc import Callable

import pytest
import time_machine
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from adoption.permissions import visible_deployments
from escalation.permissions import visible_chain_runs, visible_escalations
from learning_transfer.permissions import (
    visible_incidents,
    visible_matches,
    visible_notices,
    visible_triggers,
)
from providers.choices import ROLE_SCOPE, Role, Scope
from providers.permissions import organisation_services
from reporting_control.permissions import commissioner_packs, visible_updates

from .world import NOW, PERSONA_ROLES, PERSONAS

pytestmark = pytest.mark.django_db

R = Role
PROVIDER_LEVEL = tuple(r for r, s in ROLE_SCOPE.items() if s == Scope.PROVIDER)
EDITORS = (R.COMPLIANCE_MANAGER, R.PROVIDER_DIRECTOR, R.NOMINATED_INDIVIDUAL, R.OPERATIONS_DIRECTOR)
SIGNERS = (R.PROVIDER_DIRECTOR, R.NOMINATED_INDIVIDUAL)
EXPOSURE_KEEPERS = (
    R.QUALITY_DIRECTOR,
    R.OPERATIONS_DIRECTOR,
    R.DEPUTY_REGIONAL_MANAGER,
    R.REGISTERED_MANAGER,
)
VERIFIERS = (R.OPERATIONS_DIRECTOR, R.DEPUTY_REGIONAL_MANAGER, R.QUALITY_DIRECTOR)
IMPORTERS = (R.QUALITY_DIRECTOR, R.GOVERNANCE_OFFICER, R.PERFORMANCE_ANALYST, R.PROVIDER_ADMINISTRATOR)
CHECKERS = (R.REGISTERED_MANAGER, R.SERVICE_IMPROVEMENT_LEAD, R.CLINICAL_LEAD, R.PRACTICE_DEVELOPMENT_LEAD)
CHECKERS += (R.SENIOR_CARER_LATE,)
DEPLOYERS = (R.REGISTERED_MANAGER, R.OPERATIONS_DIRECTOR, R.DEPUTY_REGIONAL_MANAGER)
SUMMARY = (R.NOMINATED_INDIVIDUAL, R.PROVIDER_DIRECTOR, R.QUALITY_DIRECTOR, R.OPERATIONS_DIRECTOR)
SUMMARY += (R.COMPLIANCE_MANAGER, R.GOVERNANCE_OFFICER)
# The roles that see the services' work (cases, checks, escalations, notices, matched services): every
# staff role but the provider administrator's, who keeps the organisation, its people, roles, working
# hours, chain settings and imports.
WORK = tuple(r for r in Role if r not in (R.COMMISSIONER, R.PROVIDER_ADMINISTRATOR))

# The roles each persona holds at each provider, as the story goes (oakwood: world.PERSONA_ROLES).
HELD = {
    "oakwood": PERSONA_ROLES,
    "riverside": {
        "two_providers": [(R.PERFORMANCE_ANALYST, "provider")],
        "removed": [(R.REGISTERED_MANAGER, "s3")],
    },
}

Rule = Callable[[str, str | None], bool]


def _reaches(scope: str, reach: str | None) -> bool:
    """Whether a role held at `scope` reaches `reach` (a service key, or None: the whole provider)."""
    if scope == "provider":
        return True
    if reach is None:
        return False
    return scope == "region" or scope == reach  # all three services are in the provider's one region


def may(*roles: str, reach: str | None = None) -> Rule:
    """One of `roles` (any staff role when none) held at the object's provider, reaching `reach`."""

    def rule(persona, key):
        held = HELD[key].get(persona, [])
        return any(
            (role in roles if roles else role != R.COMMISSIONER) and _reaches(scope, reach)
            for role, scope in held
        )

    return rule


def anywhere(*roles: str) -> Rule:
    """For pages about no one object: one of `roles` (any staff role when none) held at any provider."""
    rules = [may(*roles, reach=reach) for reach in (None, "s1", "s2", "s3")]
    return lambda persona, key: any(rule(persona, place) for rule in rules for place in HELD)


def either(*rules: Rule) -> Rule:
    return lambda persona, key: any(rule(persona, key) for rule in rules)


def only_at(place: str, rule: Rule) -> Rule:
    return lambda persona, key: key == place and rule(persona, key)


def anyone(persona, key):
    return True


def signed_in(persona, key):
    return persona != "anonymous"


def acts_for(organisation: str) -> Rule:
    """A commissioner acting, at the object's provider, for `organisation` (world.PERSONA_ROLES)."""
    return lambda persona, key: (R.COMMISSIONER, organisation) in HELD[key].get(persona, [])


def a_commissioner(persona, key):
    """For pages about no one object: acting for any commissioning organisation, at any provider."""
    return any(role == R.COMMISSIONER for place in HELD for role, _ in HELD[place].get(persona, []))


def no_one(persona, key):
    return False


def the_object(name: str, arg: str = "pk") -> Callable:
    return lambda place: {arg: place.objects[name].pk}


def at(get: Rule = no_one, post: Rule = no_one, kwargs: Callable | None = None) -> dict:
    """An entry: who may GET, who may POST, and the URL's arguments for one provider's objects (none
    for a page about no one object)."""
    return {"GET": get, "POST": post, "kwargs": kwargs}


UPDATE = the_object("draft")
# Each provider's released update covers S2, so its release issued a pack to the council, which
# commissions S2 at both providers. Only a person acting for the council at that provider reads it.
COUNCILS_PACK = acts_for("council")
TABLE = {
    # The organisation and signing in.
    "home": at(get=signed_in),
    "favicon.ico": at(get=anyone, post=anyone),
    "login": at(get=anyone, post=anyone),
    "logout": "ends the session: tests/providers/test_pages.py signs out",
    # The second step of signing in: every signed-in person sets it up, checks it and renews codes.
    "two_factor_account": at(get=signed_in),
    "two_factor_setup": at(get=signed_in, post=signed_in),
    "two_factor_verify": at(get=signed_in, post=signed_in),
    "two_factor_recovery_codes": at(post=signed_in),
    "dashboard": at(get=anywhere(R.REGISTERED_MANAGER), kwargs=lambda place: {"role": R.REGISTERED_MANAGER}),
    "organisation": at(get=anywhere()),
    "service_detail": at(get=may(reach="s2"), kwargs=lambda place: {"pk": place.s2.pk}),
    # Administering one's own provider: its administrator only.
    # Every deadline is counted in the working hours: all staff read them, the administrator sets them.
    "working_hours": at(get=anywhere(), post=anywhere(R.PROVIDER_ADMINISTRATOR)),
    "people": at(get=anywhere(R.PROVIDER_ADMINISTRATOR), post=anywhere(R.PROVIDER_ADMINISTRATOR)),
    "person_add": at(get=anywhere(R.PROVIDER_ADMINISTRATOR), post=anywhere(R.PROVIDER_ADMINISTRATOR)),
    "access_history": at(get=anywhere(R.PROVIDER_ADMINISTRATOR, R.NOMINATED_INDIVIDUAL)),
    # Giving one of the provider's people a role: the Quality Director who logged its trigger, who
    # works there only (a person of both providers is rightly both administrators' to give roles to).
    "person_give_role": at(
        get=may(R.PROVIDER_ADMINISTRATOR),
        post=may(R.PROVIDER_ADMINISTRATOR),
        kwargs=lambda place: {"pk": place.objects["trigger"].logged_by_id},
    ),
    # A person's sign-in (switched off or on) and a new set-password link: the administrator of a
    # provider they are one of (the same person as above).
    **{
        name: at(
            get=may(R.PROVIDER_ADMINISTRATOR),
            post=may(R.PROVIDER_ADMINISTRATOR),
            kwargs=lambda place: {"pk": place.objects["trigger"].logged_by_id},
        )
        for name in ("person_password_link", "sign_in_off", "sign_in_on")
    },
    # A set-password link is its own authority (a one-time token); a wrong one only says it does not work.
    "set_password": at(get=anyone, post=anyone, kwargs=lambda place: {"uidb64": "MQ", "token": "wrong"}),
    "role_remove": at(
        get=may(R.PROVIDER_ADMINISTRATOR),
        post=may(R.PROVIDER_ADMINISTRATOR),
        kwargs=lambda place: {"pk": place.provider.role_assignments.order_by("pk").first().pk},
    ),
    # The escalation engine.
    "escalation:inbox": at(get=anywhere()),
    # Sent with nothing ticked it acknowledges nothing; what it does to ticked escalations, and to
    # another person's, is told in tests/escalation/test_acknowledge_ticked.py.
    "escalation:acknowledge_ticked": at(post=anywhere()),
    "escalation:detail": at(get=may(*WORK, reach="s2"), kwargs=the_object("escalation")),
    "escalation:acknowledge": at(
        post=either(may(R.REGISTERED_MANAGER, reach="s2"), may(R.NOMINATED_INDIVIDUAL)),
        kwargs=the_object("escalation"),
    ),
    "escalation:record_action": at(
        post=either(may(R.REGISTERED_MANAGER, reach="s2"), may(R.NOMINATED_INDIVIDUAL)),
        kwargs=the_object("escalation"),
    ),
    "escalation:resolve": at(
        post=either(may(R.REGISTERED_MANAGER, reach="s2"), may(R.NOMINATED_INDIVIDUAL)),
        kwargs=the_object("escalation"),
    ),
    "escalation:chain_run": at(get=may(*WORK, reach="s2"), kwargs=the_object("chain_run")),
    "escalation:step_run": at(
        get=may(*WORK, reach="s2"),
        post=may(R.SERVICE_IMPROVEMENT_LEAD, reach="s2"),
        kwargs=the_object("step_run"),
    ),
    "escalation:chains": at(get=anywhere()),
    "escalation:tune_step": at(
        get=anywhere(R.PROVIDER_ADMINISTRATOR),
        post=anywhere(R.PROVIDER_ADMINISTRATOR),
        kwargs=lambda place: {"code": "A2"},
    ),
    # Chain A: learning transfer.
    "learning_transfer:trigger_list": at(get=anywhere(*WORK)),
    "learning_transfer:trigger_add": at(get=anywhere(R.QUALITY_DIRECTOR), post=anywhere(R.QUALITY_DIRECTOR)),
    # Opened by whoever reaches the source or a matched service; which matched services it shows in
    # full follows the role's reach (test_matched_services_shown_by_reach.py).
    "learning_transfer:trigger_detail": at(
        get=either(may(*WORK, reach="s1"), may(*WORK, reach="s2")), kwargs=the_object("trigger")
    ),
    "learning_transfer:trigger_services_csv": at(
        get=either(may(*WORK, reach="s1"), may(*WORK, reach="s2")), kwargs=the_object("trigger")
    ),
    "learning_transfer:trigger_learning": at(
        get=may(R.QUALITY_DIRECTOR), post=may(R.QUALITY_DIRECTOR), kwargs=the_object("trigger")
    ),
    "learning_transfer:match_adjust": at(
        get=may(R.QUALITY_DIRECTOR), post=may(R.QUALITY_DIRECTOR), kwargs=the_object("trigger")
    ),
    "learning_transfer:trigger_rematch": at(post=may(R.QUALITY_DIRECTOR), kwargs=the_object("trigger")),
    "learning_transfer:trigger_record_a1": at(post=may(R.QUALITY_DIRECTOR), kwargs=the_object("trigger")),
    "learning_transfer:notices_issue": at(post=may(R.QUALITY_DIRECTOR), kwargs=the_object("trigger")),
    "learning_transfer:notices_redistribute": at(
        post=may(R.QUALITY_DIRECTOR, R.GOVERNANCE_OFFICER), kwargs=the_object("trigger")
    ),
    "learning_transfer:trigger_close": at(post=may(R.QUALITY_DIRECTOR), kwargs=the_object("trigger")),
    "learning_transfer:trigger_close_no_learning": at(
        get=may(R.QUALITY_DIRECTOR), post=may(R.QUALITY_DIRECTOR), kwargs=the_object("trigger")
    ),
    "learning_transfer:notice_list": at(get=anywhere(*WORK)),
    # The removed person still owns oakwood's notice, but owning it gives nothing without a role there.
    "learning_transfer:notice_acknowledge": at(
        post=may(R.REGISTERED_MANAGER, reach="s2"), kwargs=the_object("notice")
    ),
    "learning_transfer:notice_owner": at(
        get=may(R.QUALITY_DIRECTOR, R.GOVERNANCE_OFFICER),
        post=may(R.QUALITY_DIRECTOR, R.GOVERNANCE_OFFICER),
        kwargs=the_object("notice"),
    ),
    "learning_transfer:match_detail": at(get=may(*WORK, reach="s2"), kwargs=the_object("match")),
    "learning_transfer:match_lead": at(
        get=may(*EXPOSURE_KEEPERS, reach="s2"),
        post=may(*EXPOSURE_KEEPERS, reach="s2"),
        kwargs=the_object("match"),
    ),
    "learning_transfer:match_exposure": at(
        get=may(*EXPOSURE_KEEPERS, reach="s2"),
        post=may(*EXPOSURE_KEEPERS, reach="s2"),
        kwargs=the_object("match"),
    ),
    "learning_transfer:line_add": at(
        get=may(*EXPOSURE_KEEPERS, reach="s2"),
        post=may(*EXPOSURE_KEEPERS, reach="s2"),
        kwargs=the_object("match"),
    ),
    "learning_transfer:match_verify": at(post=may(*VERIFIERS, reach="s2"), kwargs=the_object("match")),
    # Oakwood's line is owned by its service improvement lead.
    "learning_transfer:line_complete": at(
        post=either(
            may(*EXPOSURE_KEEPERS, reach="s2"),
            only_at("oakwood", may(R.SERVICE_IMPROVEMENT_LEAD, reach="s2")),
        ),
        kwargs=the_object("line"),
    ),
    # A line is reopened by whoever may complete it; corrected only by whoever keeps the service's log.
    "learning_transfer:line_reopen": at(
        get=either(
            may(*EXPOSURE_KEEPERS, reach="s2"),
            only_at("oakwood", may(R.SERVICE_IMPROVEMENT_LEAD, reach="s2")),
        ),
        post=either(
            may(*EXPOSURE_KEEPERS, reach="s2"),
            only_at("oakwood", may(R.SERVICE_IMPROVEMENT_LEAD, reach="s2")),
        ),
        kwargs=the_object("line"),
    ),
    "learning_transfer:line_change": at(
        get=may(*EXPOSURE_KEEPERS, reach="s2"),
        post=may(*EXPOSURE_KEEPERS, reach="s2"),
        kwargs=the_object("line"),
    ),
    "learning_transfer:review_candidates": at(
        get=anywhere(R.QUALITY_DIRECTOR, R.GOVERNANCE_OFFICER, R.OPERATIONS_DIRECTOR)
    ),
    "learning_transfer:incident_list": at(
        get=anywhere(R.QUALITY_DIRECTOR, R.GOVERNANCE_OFFICER, R.OPERATIONS_DIRECTOR)
    ),
    "learning_transfer:incident_add": at(
        get=anywhere(*IMPORTERS, R.REGISTERED_MANAGER, R.DEPUTY_REGIONAL_MANAGER),
        post=anywhere(*IMPORTERS, R.REGISTERED_MANAGER, R.DEPUTY_REGIONAL_MANAGER),
    ),
    "learning_transfer:incident_review": at(
        get=may(R.QUALITY_DIRECTOR), post=may(R.QUALITY_DIRECTOR), kwargs=the_object("incident")
    ),
    # Whoever enters incidents at its service (S1) corrects it.
    "learning_transfer:incident_correct": at(
        get=may(*IMPORTERS, R.REGISTERED_MANAGER, R.DEPUTY_REGIONAL_MANAGER, reach="s1"),
        post=may(*IMPORTERS, R.REGISTERED_MANAGER, R.DEPUTY_REGIONAL_MANAGER, reach="s1"),
        kwargs=the_object("incident"),
    ),
    "learning_transfer:import": at(get=anywhere(*IMPORTERS), post=anywhere(*IMPORTERS)),
    "learning_transfer:import_detail": at(get=may(*IMPORTERS), kwargs=the_object("job")),
    "learning_transfer:import_progress": at(get=may(*IMPORTERS), kwargs=the_object("job")),
    "learning_transfer:import_retry": at(post=may(*IMPORTERS), kwargs=the_object("failed_job")),
    "learning_transfer:import_template": at(
        get=anywhere(), kwargs=lambda place: {"kind": "incidents", "extension": "csv"}
    ),
    "learning_transfer:summary": at(get=anywhere(*SUMMARY)),
    # Chain B: adoption in live practice.
    "adoption:my_service": at(get=anywhere(*WORK)),
    "adoption:service": at(get=may(*WORK, reach="s2"), kwargs=lambda place: {"service_pk": place.s2.pk}),
    "adoption:deployment_detail": at(
        get=may(*WORK, reach="s2"), post=may(*CHECKERS, reach="s2"), kwargs=the_object("deployment")
    ),
    "adoption:close": at(post=may(*DEPLOYERS, reach="s2"), kwargs=the_object("deployment")),
    "adoption:correct_observation": at(
        get=may(*CHECKERS, reach="s2"), post=may(*CHECKERS, reach="s2"), kwargs=the_object("observation")
    ),
    "adoption:deploy": at(
        get=may(*DEPLOYERS, reach="s2"),
        post=may(*DEPLOYERS, reach="s2"),
        kwargs=the_object("match", "match_pk"),
    ),
    # Chain C: reporting control.
    "reporting_control:update_list": at(get=anywhere(*PROVIDER_LEVEL)),
    "reporting_control:update_create": at(get=anywhere(*EDITORS), post=anywhere(*EDITORS)),
    "reporting_control:update_detail": at(get=may(*PROVIDER_LEVEL), kwargs=UPDATE),
    "reporting_control:line_create": at(get=may(*EDITORS), post=may(*EDITORS), kwargs=UPDATE),
    "reporting_control:line_decide": at(
        post=may(*EDITORS),
        kwargs=lambda place: {"pk": place.objects["draft"].pk, "line_pk": place.objects["draft_line"].pk},
    ),
    "reporting_control:line_services": at(
        get=may(*EDITORS),
        post=may(*EDITORS),
        kwargs=lambda place: {"pk": place.objects["draft"].pk, "line_pk": place.objects["draft_line"].pk},
    ),
    "reporting_control:evidence_check": at(post=may(*EDITORS), kwargs=UPDATE),
    "reporting_control:hold_place": at(get=may(*EDITORS), post=may(*EDITORS), kwargs=UPDATE),
    "reporting_control:hold_lift": at(get=may(*SIGNERS), post=may(*SIGNERS), kwargs=UPDATE),
    "reporting_control:release": at(post=may(*SIGNERS), kwargs=UPDATE),
    "reporting_control:pack_request": at(post=may(*PROVIDER_LEVEL), kwargs=UPDATE),
    "reporting_control:pack_retry": at(
        post=may(*PROVIDER_LEVEL),
        kwargs=lambda place: {"pk": place.objects["draft"].pk, "pack_pk": place.objects["failed_pack"].pk},
    ),
    "reporting_control:pack_progress": at(
        get=may(*PROVIDER_LEVEL),
        kwargs=lambda place: {"pk": place.objects["released"].pk, "pack_pk": place.objects["pack"].pk},
    ),
    "reporting_control:pack_download": at(
        get=may(*PROVIDER_LEVEL),
        kwargs=lambda place: {"pk": place.objects["released"].pk, "pack_pk": place.objects["pack"].pk},
    ),
    "reporting_control:commissioner_packs": at(get=a_commissioner),
    "reporting_control:commissioner_download": at(get=COUNCILS_PACK, kwargs=the_object("commissioner_pack")),
}
# The admin is for platform operators (superusers): none of the personas is one. The admin refuses
# before it reads the method, so its URLs are asked with GET (tests/providers/test_admin.py posts too).
ADMIN = at()
ADMIN_ENTRIES = {"admin:logout": "ends the session"}  # the admin login too is for operators only

# List pages (a URL name, with its query where one page lists more than one way): (the link that lists
# one provider's object, who may see it there).
LISTED = {
    "learning_transfer:trigger_list": (
        lambda p: reverse("learning_transfer:trigger_detail", args=[p.objects["trigger"].pk]),
        either(may(*WORK, reach="s1"), may(*WORK, reach="s2")),
    ),
    "learning_transfer:notice_list": (
        lambda p: reverse("learning_transfer:match_detail", args=[p.objects["match"].pk]),
        may(*WORK, reach="s2"),
    ),
    # Oakwood's S2 registered managers were told; everyone else who may see its case finds it among
    # the escalations others act on at their services. The one who moved away no longer sees it.
    "escalation:inbox": (
        lambda p: reverse("escalation:detail", args=[p.objects["escalation"].pk]),
        may(*WORK, reach="s2"),
    ),
    # Every open escalation placed at the person's services that they were not told of: all who see
    # S2's case and reach S2, but not the registered manager told of it.
    "escalation:inbox?show=services": (
        lambda p: reverse("escalation:detail", args=[p.objects["escalation"].pk]),
        lambda persona, key: may(*WORK, reach="s2")(persona, key) and persona != "registered_manager",
    ),
    "adoption:my_service": (
        lambda p: reverse("adoption:deployment_detail", args=[p.objects["deployment"].pk]),
        may(*WORK, reach="s2"),
    ),
    "reporting_control:update_list": (
        lambda p: reverse("reporting_control:update_detail", args=[p.objects["draft"].pk]),
        may(*PROVIDER_LEVEL),
    ),
    "reporting_control:commissioner_packs": (
        lambda p: reverse(
            "reporting_control:commissioner_download", args=[p.objects["commissioner_pack"].pk]
        ),
        COUNCILS_PACK,
    ),
}


def url_patterns(resolvers=None, namespace="") -> dict[str, object]:
    """Every URL pattern of the project by name ("namespace:name"); unnamed ones by their route."""
    found = {}
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.update(url_patterns(entry.url_patterns, inner))
        elif isinstance(entry, URLPattern):
            found[f"{namespace}{entry.name or entry.pattern}"] = entry
    return found


def entry_for(name: str):
    if name.startswith("admin:"):
        return ADMIN_ENTRIES.get(name, ADMIN)
    return TABLE.get(name)


def admin_url(name: str, pattern) -> str:
    """An admin URL with made-up arguments (refused before any object is looked up)."""
    if not pattern.name:
        return "/admin/no-such-page/"
    fill = {"app_label": "providers", "content_type_id": "1"}
    regex = pattern.pattern.regex
    if not regex.groupindex:
        return reverse(name, args=["1"] * regex.groups)
    return reverse(name, kwargs={arg: fill.get(arg, "1") for arg in regex.groupindex})


def is_allowed(response) -> bool:
    if response.status_code == 200:
        return True
    if response.status_code in (301, 302):
        return not response["Location"].split("?")[0].rstrip("/").endswith("login")
    return False


def test_every_url_has_an_entry():
    missing = [name for name in url_patterns() if entry_for(name) is None]
    assert missing == [], f"Say in TABLE who may use these URLs: {missing}"


def _close_keeping_the_connection(response) -> None:
    """Close a streamed file; closing a response ends its request, which would otherwise also close
    the database connection this module's transaction runs on (as the test client does meanwhile)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _request(client, method: str, url: str) -> bool:
    """Send one request and undo whatever it changed; whether it was allowed."""
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url)
        assert response.status_code < 500, f"{method} {url}: {response.status_code}"
        allowed = is_allowed(response)
        if getattr(response, "streaming", False):
            _close_keeping_the_connection(response)
        transaction.set_rollback(True)
    return allowed


def _requests(world, names):
    """(name, provider key or None, url, entry) for each URL of `names` and each provider's objects."""
    patterns = url_patterns()
    for name in names:
        entry = entry_for(name)
        if isinstance(entry, str):
            continue
        if name.startswith("admin:"):
            yield name, None, admin_url(name, patterns[name]), entry
        elif entry["kwargs"] is None:
            pattern = patterns[name]
            yield name, None, reverse(name) if pattern.name else f"/{pattern.pattern}", entry
        else:
            for key, place in world.places.items():
                yield name, key, reverse(name, kwargs=entry["kwargs"](place)), entry


APPS = ["", "escalation:", "learning_transfer:", "adoption:", "reporting_control:", "admin:"]


@pytest.mark.parametrize("app", APPS, ids=[a.rstrip(":") or "providers" for a in APPS])
def test_each_persona_may_do_exactly_what_the_table_says(app, world, clients, django_db_blocker):
    names = [n for n in url_patterns() if (n.startswith(app) if app else ":" not in n)]
    wrong = []
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        for name, key, url, entry in _requests(world, names):
            for persona in PERSONAS:
                for method in ("GET",) if name.startswith("admin:") else ("GET", "POST"):
                    expected = entry[method](persona, key)
                    if _request(clients[persona], method, url) != expected:
                        wrong.append(
                            f"{persona} {method} {url} ({name}): {'refused' if expected else 'allowed'}"
                        )
    assert wrong == [], f"{len(wrong)} outcomes differ from the table:\n" + "\n".join(wrong)


def test_a_commissioner_never_downloads_the_providers_own_pack(world, clients, django_db_blocker):
    """The pack a release keeps for the provider covers every service: no commissioner reads it."""
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        for key, place in world.places.items():
            url = reverse("reporting_control:commissioner_download", args=[place.objects["pack"].pk])
            for persona in ("commissioner", "other_commissioner"):
                assert not _request(clients[persona], "GET", url), f"{persona} read {key}'s own pack"


def test_list_pages_show_each_provider_only_to_the_people_who_may_see_it(world, clients, django_db_blocker):
    wrong = []
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        for name, (link, rule) in LISTED.items():
            for persona in PERSONAS:
                with transaction.atomic():
                    url_name, _, query = name.partition("?")
                    page = clients[persona].get(reverse(url_name) + (f"?{query}" if query else ""))
                    text = page.content.decode() if page.status_code == 200 else ""
                    transaction.set_rollback(True)
                for key, place in world.places.items():
                    if (link(place) in text) != rule(persona, key):
                        wrong.append(
                            f"{persona} {name}: {key}'s object {'missing' if rule(persona, key) else 'shown'}"
                        )
    assert wrong == [], "\n".join(wrong)


# Each "may see" permission and the queryset that lists the same objects.
SEEN_THROUGH = [
    ("providers.view_service", lambda place: place.s2, organisation_services),
    ("providers.view_service", lambda place: place.s1, organisation_services),
    ("learning_transfer.view_trigger", lambda place: place.objects["trigger"], visible_triggers),
    ("learning_transfer.view_notice", lambda place: place.objects["notice"], visible_notices),
    ("learning_transfer.view_match", lambda place: place.objects["match"], visible_matches),
    ("learning_transfer.view_incident", lambda place: place.objects["incident"], visible_incidents),
    ("adoption.view_deployment", lambda place: place.objects["deployment"], visible_deployments),
    ("escalation.view_escalation", lambda place: place.objects["escalation"], visible_escalations),
    ("escalation.view_chain_run", lambda place: place.objects["chain_run"], visible_chain_runs),
    ("reporting_control.view_update", lambda place: place.objects["draft"], visible_updates),
    ("reporting_control.download_released_pack", lambda place: place.objects["pack"], commissioner_packs),
    (
        "reporting_control.download_released_pack",
        lambda place: place.objects["commissioner_pack"],
        commissioner_packs,
    ),
]


def test_each_permission_to_see_agrees_with_the_list_of_what_is_seen(world, django_db_blocker):
    wrong = []
    with django_db_blocker.unblock():
        for perm, pick, listed in SEEN_THROUGH:
            for name, person in world.people.items():
                for key, place in world.places.items():
                    obj = pick(place)
                    if person.has_perm(perm, obj) != listed(person).filter(pk=obj.pk).exists():
                        wrong.append(f"{name} {perm} {key}")
    assert wrong == []
