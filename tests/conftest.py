"""Shared fixtures: a small provider with two regions and three services, and an outsider provider."""

import pytest

from providers.choices import RiskTag, Role, ServiceType
from tests.factories import ProviderFactory, RegionFactory, ServiceFactory, person_with_role
from tests.signing_in import signed_in


@pytest.fixture
def provider(db):
    return ProviderFactory(name="Oakwood Care Group")


@pytest.fixture
def north(provider):
    return RegionFactory(provider=provider, name="North")


@pytest.fixture
def south(provider):
    return RegionFactory(provider=provider, name="South")


@pytest.fixture
def elm_house(north):
    return ServiceFactory(region=north, name="Elm House", tags=[RiskTag.FALLS, RiskTag.MEDICATION])


@pytest.fixture
def birch_lodge(north):
    return ServiceFactory(
        region=north, name="Birch Lodge", service_type=ServiceType.NURSING, tags=[RiskTag.FALLS]
    )


@pytest.fixture
def cedar_court(south):
    return ServiceFactory(region=south, name="Cedar Court", tags=[RiskTag.MEDICATION])


@pytest.fixture
def other_provider_service(db):
    """A service of a different provider: nobody in `provider` may ever see it."""
    return ServiceFactory(name="Faraway Manor", region__provider__name="Faraway Care Ltd")


@pytest.fixture
def quality_director(provider):
    return person_with_role(Role.QUALITY_DIRECTOR, provider=provider, username="quality")


@pytest.fixture
def nominated_individual(provider):
    return person_with_role(Role.NOMINATED_INDIVIDUAL, provider=provider, username="ni")


@pytest.fixture
def registered_manager(elm_house):
    return person_with_role(Role.REGISTERED_MANAGER, service=elm_house, username="elm-manager")


@pytest.fixture
def commissioner(elm_house):
    return person_with_role(Role.COMMISSIONER, service=elm_house, username="county-commissioner")


@pytest.fixture
def sign_in(client):
    """Log a person in as both steps would: `sign_in(person)` (or `sign_in(person, other_client)`)."""

    def sign_in(user, into=None):
        return signed_in(into or client, user)

    return sign_in


@pytest.fixture(autouse=True)
def _run_tasks_in_process(settings):
    """Celery tasks run in the test process; the integration test starts a real worker instead."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _measure_errors_raise(settings):
    """A computation of a step's figures that breaks fails the test, never hides behind the form's
    "Could not compute"."""
    settings.MEASURE_ERRORS_RAISE = True


@pytest.fixture(autouse=True)
def _no_scopes_kept_from_other_tests():
    """Each test starts with none of the scopes and queries a worker keeps for a set of roles
    (`permissions.built_once`, `compiled_once`), so what one test kept never answers another."""
    from providers import permissions

    permissions._built_scopes.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas need passwords, not Argon2's deliberate slowness (about 0.2 s a person)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chain_templates_present(request):
    """A transactional test starts with the chain templates the data migration loads.

    Serialized rollback restores them when it can; on the in-memory SQLite database shared with a live
    server thread it does not always, so the templates are loaded again when a flush removed them.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from escalation.loading import load_chain_templates
    from escalation.models import ChainTemplate

    if not ChainTemplate.objects.exists():
        load_chain_templates()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests empty every table when they end, so they run last, and each restores the
    migrated data (the chain templates) when it starts (serialized rollback)."""

    def is_transactional(item):
        marker = item.get_closest_marker("django_db")
        return bool(marker and marker.kwargs.get("transaction"))

    for item in items:
        if is_transactional(item) and "django_db_serialized_rollback" not in item.fixturenames:
            item.fixturenames.append("django_db_serialized_rollback")
    items.sort(key=is_transactional)  # stable: the order within each group is kept
