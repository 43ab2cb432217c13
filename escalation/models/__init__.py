"""Models of the escalation engine: chains as data, running cases, escalations and their delivery."""

from .chains import (
    ChainTemplate,
    ProviderStepSetting,
    StepTemplate,
    describe_window,
    window_length,
)
from .escalations import EngineEvent, EngineHeartbeat, Escalation, Notification
from .runs import ChainRun, StepRecord, StepRun

__all__ = [
    "ChainRun",
    "ChainTemplate",
    "EngineEvent",
    "EngineHeartbeat",
    "Escalation",
    "Notification",
    "ProviderStepSetting",
    "StepRecord",
    "StepRun",
    "StepTemplate",
    "describe_window",
    "window_length",
]
