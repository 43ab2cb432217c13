"""The project's own apps in house order, bottom to top (README, "A short tour of the code").

An app may import the apps below it and never one above it: the import-scan test holds every module
to this order, and code that is ours is told from Django's and the libraries' by it.
"""

HOUSE_ORDER = (
    "config",
    "providers",
    "accounts",
    "escalation",
    "learning_transfer",
    "adoption",
    "reporting_control",
    "demo",
)


def is_ours(module_name: str) -> bool:
    """Whether a dotted module name belongs to one of the project's apps."""
    return module_name.split(".")[0] in HOUSE_ORDER


def project_receivers(signal, sender) -> list:
    """The project's functions that a Django signal calls when `sender` sends it."""
    sync, asynchronous = signal._live_receivers(sender)
    return [r for r in [*sync, *asynchronous] if is_ours(getattr(r, "__module__", None) or "")]
