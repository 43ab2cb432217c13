"""The learning statement may be saved empty, but notices cannot be issued without it: its label says
so rather than calling it optional."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_learning_page_says_the_statement_is_needed_before_notices_are_issued(
    client, sign_in, log_falls_trigger, quality_director
):
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/learning/").text
    label = page.split('for="id_learning_statement">', 1)[1].split("</label>", 1)[0]
    assert label == "Learning statement — needed before notices can be issued"
    assert "notices cannot be issued until it is" in page
    # Other fields that really are optional still say so.
    assert "(optional)</label>" in page
