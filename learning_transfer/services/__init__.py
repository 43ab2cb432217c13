"""Business actions of chain A. Views, admin, tasks, commands and tests call these, never the models
directly, so each rule (a permission, a threshold, a state change) is enforced in one place."""

from .corrections import correct_incident
from .exposure import add_line, complete_line, confirm_implementation, confirm_lead, update_exposure
from .incidents import (
    import_care_hours,
    import_incidents,
    record_incident,
    retry_import,
    run_import_job,
    start_import,
)
from .lines import correct_line, reopen_line
from .notices import acknowledge_notice, issue_notices, name_owner, redistribute
from .review import record_review
from .triggers import (
    adjust_match,
    close_trigger,
    close_without_learning,
    log_trigger,
    match_services,
    record_learning,
)

__all__ = [
    "acknowledge_notice",
    "add_line",
    "adjust_match",
    "close_trigger",
    "close_without_learning",
    "complete_line",
    "correct_incident",
    "correct_line",
    "confirm_implementation",
    "confirm_lead",
    "import_care_hours",
    "import_incidents",
    "issue_notices",
    "log_trigger",
    "match_services",
    "name_owner",
    "record_incident",
    "record_learning",
    "record_review",
    "redistribute",
    "reopen_line",
    "retry_import",
    "run_import_job",
    "start_import",
    "update_exposure",
]
