from django.db import migrations, models


def open_with_their_shifts(apps, schema_editor):
    """Give the steps of cases already running the time each opens, as a new case's are scheduled
    (escalation/scheduling.py `opening_time`): a shift's check at its shift's start, a later daily
    check when the one before it falls due, and B5 once the 3 shifts it looks at have ended (its rule
    from fixtures/chains.json, where the template and the running steps still hold the rule without it).
    Running it again changes nothing."""
    from escalation.loading import read_fixture
    from escalation.scheduling import opening_time
    from providers.calendar import Shift, WorkingCalendar

    step_model = apps.get_model("escalation", "StepTemplate")
    step_run_model = apps.get_model("escalation", "StepRun")
    chain_run_model = apps.get_model("escalation", "ChainRun")
    shift_model = apps.get_model("providers", "ShiftPattern")
    for chain in read_fixture():
        for step in chain["steps"]:
            wanted = step["deadline_rule"]
            if "opens_after_shifts" not in wanted:
                continue
            before = {k: v for k, v in wanted.items() if k != "opens_after_shifts"}
            for model in (step_model, step_run_model):
                for row in model.objects.filter(code=step["code"]).only("pk", "deadline_rule"):
                    if row.deadline_rule == before:
                        model.objects.filter(pk=row.pk).update(deadline_rule=wanted)

    # Shifts run every day: when one starts and ends does not depend on the provider's working hours.
    calendar = WorkingCalendar()
    waiting = step_run_model.objects.filter(state="due").values("chain_run_id")
    for run in chain_run_model.objects.filter(pk__in=waiting):
        shifts = [
            Shift(name=s.name, start=s.start, end=s.end)
            for s in shift_model.objects.filter(service_id=run.service_id)
        ]
        changed, previous = [], {}
        for step_run in step_run_model.objects.filter(chain_run=run).order_by(
            "code", "region_id", "occurrence"
        ):
            key = (step_run.code, step_run.region_id)
            opens_at = opening_time(
                step_run.deadline_rule, step_run.due_at, previous.get(key), run.anchor_at, calendar, shifts
            )
            previous[key] = step_run.due_at
            if step_run.state == "due" and step_run.opens_at != opens_at:
                step_run.opens_at = opens_at
                changed.append(step_run)
        step_run_model.objects.bulk_update(changed, ["opens_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0015_notification_message"),
        ("providers", "0005_history_reasons_kept_whole"),
    ]

    operations = [
        migrations.AddField(
            model_name="steprun",
            name="opens_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When this occurrence may be recorded: its shift's start, the check before it "
                "falling due, or the shifts it judges having ended. Empty: open from the start of the case.",
                null=True,
            ),
        ),
        migrations.RunPython(open_with_their_shifts, migrations.RunPython.noop),
    ]
