"""Tester 14 (L6): a held update told the Compliance Manager who placed the hold and why, but not who
could lift it; only the Provider Director and the Nominated Individual can. The hold now names them to
whoever cannot lift it, or says nobody holds those roles yet."""

from html import unescape

from django.urls import reverse

from reporting_control import services


def hold_box(client, update) -> str:
    page = client.get(reverse("reporting_control:update_detail", args=[update.pk])).text
    return unescape(page.split('data-testid="active-hold">', 1)[1].split("</div>", 1)[0])


def test_the_hold_names_who_can_lift_it(
    client, sign_in, update_with_a_line, compliance_manager, provider_director
):
    update = update_with_a_line()
    services.place_hold(update, by=compliance_manager, reason="Birch Lodge's checks are not yet seen.")
    sign_in(compliance_manager)
    box = hold_box(client, update)
    assert (
        f"Only the Provider Director for Oakwood Care Group ({provider_director.get_full_name()}) "
        "can lift this update's issue hold." in box
    )
    assert "Lift the hold" not in box

    sign_in(provider_director)
    box = hold_box(client, update)
    assert "Lift the hold" in box and "Only the" not in box


def test_a_hold_nobody_can_lift_says_so(client, sign_in, update_with_a_line, compliance_manager):
    update = update_with_a_line()
    services.place_hold(update, by=compliance_manager, reason="Birch Lodge's checks are not yet seen.")
    sign_in(compliance_manager)
    assert (
        "Nobody at Oakwood Care Group holds the Provider Director or Nominated Individual role yet: "
        "ask your provider administrator." in hold_box(client, update)
    )
