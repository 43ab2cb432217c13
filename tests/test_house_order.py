"""The house rules that keep the code easy to find: no domain side effect hides in a model signal."""

from django.apps import apps
from django.db.models import signals

from tests.house import project_receivers

MODEL_SIGNALS = (
    signals.pre_init,
    signals.post_init,
    signals.pre_save,
    signals.post_save,
    signals.pre_delete,
    signals.post_delete,
    signals.m2m_changed,
)


def test_no_model_signal_calls_our_code():
    """What happens when a record is saved is called explicitly (a service, or the engine's chain
    hooks), so it can be read where it happens: none of our functions listens to a model signal."""
    listening = [
        f"{signal_name(signal)} of {model.__name__}: {receiver.__module__}.{receiver.__qualname__}"
        for model in apps.get_models(include_auto_created=True)
        for signal in MODEL_SIGNALS
        for receiver in project_receivers(signal, model)
    ]
    assert listening == []


def signal_name(signal) -> str:
    return next(name for name in dir(signals) if getattr(signals, name) is signal)
