"""The house rules that keep the code easy to find: each app stands on the ones below it (tests/house.py
names the order), no module imports another that imports it back, imports stand at the top of their
module, and no domain side effect hides in a model signal."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import signals

from tests.house import (
    HOUSE_ORDER,
    circles,
    import_graph,
    imports_inside_functions,
    project_receivers,
    upward_imports,
)

ROOT = Path(settings.BASE_DIR)
MODEL_SIGNALS = {
    "pre_init": signals.pre_init,
    "post_init": signals.post_init,
    "pre_save": signals.pre_save,
    "post_save": signals.post_save,
    "pre_delete": signals.pre_delete,
    "post_delete": signals.post_delete,
    "m2m_changed": signals.m2m_changed,
}


def test_no_app_imports_an_app_above_it():
    """The organisation knows nothing of the engine, the engine nothing of the chains, each chain only
    of the chains before it; only the demo loader, at the top, imports them all."""
    assert upward_imports(ROOT) == []


def test_no_two_modules_import_each_other():
    assert circles(import_graph(ROOT)) == []


def test_imports_stand_at_the_top_of_their_module():
    """An import inside a function is how a circle hides; one that stays there says why on its line."""
    assert imports_inside_functions(ROOT) == []


def test_every_app_of_ours_has_its_place_in_the_house():
    ours = {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    assert ours | {"config"} == set(HOUSE_ORDER)


def test_no_model_signal_calls_our_code():
    """What happens when a record is saved is called explicitly (a service, or the engine's chain
    hooks), so it can be read where it happens: none of our functions listens to a model signal."""
    listening = [
        f"{name} of {model.__name__}: {receiver.__module__}.{receiver.__qualname__}"
        for model in apps.get_models(include_auto_created=True)
        for name, signal in MODEL_SIGNALS.items()
        for receiver in project_receivers(signal, model)
    ]
    assert listening == []
