import re

from django.db import migrations

# The words an overdue step's escalation was raised with before: "Get <name> (<code>) recorded without
# delay. …". The name is itself an instruction ("Check every service …"), so it read as two verbs.
_OLD = re.compile(r"^Get (?P<name>.+) \((?P<code>[A-Z]\d+)\) recorded without delay\.")


def new_words(action: str) -> str:
    """The escalation's to-do as one written now says it; words in any other form are left alone."""
    return _OLD.sub(lambda m: f"Make sure “{m['name']}” ({m['code']}) is recorded without delay.", action)


def reword(apps, schema_editor):
    """Give escalations raised before the change the words a new one has, so one inbox does not mix
    "Get … recorded" with "Make sure … is recorded". Only the to-do changes; its history rows keep
    what was sent. Running it again changes nothing."""
    escalation_model = apps.get_model("escalation", "Escalation")
    old = escalation_model.objects.filter(action__startswith="Get ").only("pk", "action")
    changed = []
    for escalation in old.iterator(chunk_size=2000):
        reworded = new_words(escalation.action)
        if reworded != escalation.action:
            escalation.action = reworded
            changed.append(escalation)
    escalation_model.objects.bulk_update(changed, ["action"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0017_escalation_settled_by_its_step_or_thread"),
    ]

    operations = [
        migrations.RunPython(reword, migrations.RunPython.noop),
    ]
