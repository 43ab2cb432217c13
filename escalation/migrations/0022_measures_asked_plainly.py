from django.db import migrations


def ask_plainly(apps, schema_editor):
    """Chain B's measures now carry a plain question for the person recording them (fixtures/chains.json
    "question"), shown in place of the seed's label. Give the step templates the questions, so cases
    opened from now on ask them; a measure whose label was edited by hand is left, as its question may
    no longer fit. Cases already open keep what they were opened with (asked by the label). Running it
    again changes nothing."""
    from escalation.loading import read_fixture
    from escalation.measures import label_in_words

    step_model = apps.get_model("escalation", "StepTemplate")
    fixture = {s["code"]: s for chain in read_fixture() for s in chain["steps"]}
    for step in step_model.objects.filter(code__in=fixture):
        wanted = {m["name"]: m for m in fixture[step.code]["measures"] if m.get("question")}
        changed = False
        for measure in step.measures:
            default = wanted.get(measure.get("name"))
            if default is None or measure.get("question"):
                continue
            written = default.get("label_template", default["label"])
            if measure.get("label_template", measure.get("label")) != written:
                continue
            template = default.get("question_template", default["question"])
            if "question_template" in default:
                measure["question_template"] = template
            measure["question"] = label_in_words(template, measure.get("parameters") or {})
            changed = True
        if changed:
            step.save(update_fields=["measures"])


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0021_step_record_correction_reason"),
    ]

    operations = [
        migrations.RunPython(ask_plainly, migrations.RunPython.noop),
    ]
