"""An update nobody at its provider may release says which roles nobody holds there, in the one
sentence every page uses for a role nobody holds (providers.who_acts.nobody_holds)."""

from django.urls import reverse


def test_an_update_nobody_may_release_names_the_roles_nobody_holds(
    client, sign_in, update_with_a_line, compliance_manager
):
    update = update_with_a_line()
    sign_in(compliance_manager)
    page = client.get(reverse("reporting_control:update_detail", args=[update.pk])).text
    assert (
        "Nobody at Oakwood Care Group holds the Provider Director or Nominated Individual role yet: "
        "ask your provider administrator."
    ) in page
    assert "Nobody holds a role" not in page
