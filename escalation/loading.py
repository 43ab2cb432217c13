"""Loading the chain templates from fixtures/chains.json (our own readable format, not a Django dump).

The escalation data migration calls `load_chain_templates` with the migration's historical models;
`manage.py load_chains` calls it with the live ones (for example after a test flushed the tables).
Loading is idempotent: existing chains and steps are matched by code; with `update=True` their values
are reset to the fixture's (provider tuning lives in ProviderStepSetting and is never touched).
"""

import json
from pathlib import Path

from django.conf import settings

from providers.calendar import one_off_order

from .measures import with_parameters
from .models.chains import ChainTemplate, StepTemplate, validate_step_json

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "chains.json"
CHAIN_FIELDS = ("name", "anchor", "owner_app", "preparation_working_days")
STEP_FIELDS = (
    "order",
    "name",
    "title",
    "breach_status",
    "role",
    "deadline_rule",
    "due_text",
    "measures",
    "check_method",
    "evidence_store",
    "threshold_rule",
    "escalate_to",
    "target_scope",
    "response_working_hours",
    "action",
)


def read_fixture(path: Path | None = None) -> list[dict]:
    """The chains of the fixture, each step numbered, its measures' labels in words, and validated
    (ValidationError names the step; ValueError a deadline linked to a step that is not a one-off step
    of its chain)."""
    chains = json.loads(Path(path or FIXTURE).read_text(encoding="utf-8"))["chains"]
    for chain in chains:
        for order, step in enumerate(chain["steps"], start=1):
            step.setdefault("order", order)
            step.setdefault("target_scope", "run")
            step.setdefault("name", "")
            step.setdefault("breach_status", "")
            # Labels showing a parameter ("within {window_hours} hours") are put in words.
            step["measures"] = with_parameters(step["measures"])
            try:
                validate_step_json(
                    deadline_rule=step["deadline_rule"],
                    measures=step["measures"],
                    threshold_rule=step["threshold_rule"],
                    check_method=step["check_method"],
                )
            except Exception as exc:
                raise type(exc)(f"Step {step['code']}: {exc}") from exc
        # The links that keep the chain's deadlines in step order must name steps of the same chain.
        one_off_order({step["code"]: step["deadline_rule"] for step in chain["steps"]})
    return chains


def load_chain_templates(chain_model=None, step_model=None, *, update: bool = True, path=None) -> int:
    """Create (or with `update`, reset) the three chains and fifteen steps; return how many rows changed."""
    chain_model = chain_model or ChainTemplate
    step_model = step_model or StepTemplate
    # An early data migration's models lack the fields added since (a step's plain name): skip those.
    known = {f.name for f in step_model._meta.get_fields()}
    step_fields = [f for f in STEP_FIELDS if f in known]
    changed = 0
    for data in read_fixture(path):
        chain, created = chain_model.objects.get_or_create(
            code=data["code"], defaults={f: data[f] for f in CHAIN_FIELDS}
        )
        if created:
            changed += 1
        elif update and any(getattr(chain, f) != data[f] for f in CHAIN_FIELDS):
            for name in CHAIN_FIELDS:
                setattr(chain, name, data[name])
            chain.save()
            changed += 1
        for step_data in data["steps"]:
            values = {f: step_data[f] for f in step_fields}
            step = step_model.objects.filter(code=step_data["code"]).first()
            if step is None:
                step_model.objects.create(chain=chain, code=step_data["code"], **values)
                changed += 1
            elif update and (
                step.chain_id != chain.pk or any(getattr(step, f) != v for f, v in values.items())
            ):
                for name, value in values.items():
                    setattr(step, name, value)
                step.chain = chain
                step.save()
                changed += 1
    return changed
