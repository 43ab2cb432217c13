"""Tester 16 (L5): escalation lists read "Not acknowledged in time → Nominated Individual (level 3)";
"level 3" was never explained. A follow-up says which follow-up it is."""

from escalation.models import Escalation


def test_a_follow_up_says_which_it_is():
    assert Escalation(level=1).level_words == ""
    assert Escalation(level=2).level_words == "1st follow-up"
    assert Escalation(level=3).level_words == "2nd follow-up"
