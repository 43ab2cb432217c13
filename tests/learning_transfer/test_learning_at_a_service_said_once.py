"""Tester 17 (L9): the registered manager's dashboard read "LT-0004 Medication error at Willow Bank at
Willow Bank": a trigger's default title names its service already, and the page added it again."""

from types import SimpleNamespace

from learning_transfer.templatetags.learning import learning_at


def trigger(title):
    return SimpleNamespace(reference="LT-0004", title=title)


def test_the_service_is_said_once_when_the_title_ends_with_it():
    willow = SimpleNamespace(name="Willow Bank")
    assert (
        learning_at(trigger("Medication error at Willow Bank"), willow)
        == "LT-0004 Medication error at Willow Bank"
    )


def test_another_service_is_said_after_the_title():
    rowan = SimpleNamespace(name="Rowan Court")
    assert learning_at(trigger("Fall at Elm House"), rowan) == "LT-0004 Fall at Elm House at Rowan Court"
    # A title merely containing the name elsewhere still says where.
    assert learning_at(trigger("Rowan Court's sister home fall"), rowan).endswith(" at Rowan Court")
