"""After a hold is lifted, the update's status says what its lines need, not "add its reporting lines"
when it has some; and the holds table says a hold still in force is not lifted."""

from django.urls import reverse

from reporting_control import services


def status_of(page: str) -> str:
    return page.split('data-testid="update-status">', 1)[1].split("</dd>", 1)[0]


def hold_rows(page: str) -> str:
    return page.split('data-testid="hold-history"', 1)[1].split("</table>", 1)[0]


def test_a_lifted_update_with_a_line_lacking_evidence_says_so(
    client, sign_in, update_with_a_line, compliance_manager, provider_director
):
    update = update_with_a_line()  # Birch Lodge has no verified implementation: the line lacks evidence
    services.place_hold(update, by=compliance_manager, reason="Figures disputed by the ICB.")
    sign_in(provider_director)
    page = client.get(update.get_absolute_url()).text
    assert "Not lifted" in hold_rows(page)
    assert "Active" not in hold_rows(page) and "Not lifted yet" not in hold_rows(page)

    client.post(reverse("reporting_control:hold_lift", args=[update.pk]), {"reason": "Figures reconciled."})

    page = client.get(update.get_absolute_url()).text
    assert status_of(page) == "Draft — 1 line lacks evidence"
    assert "Figures reconciled." in hold_rows(page)
    assert "Not lifted" not in hold_rows(page)
    listing = client.get(reverse("reporting_control:update_list")).text
    assert "Draft — 1 line lacks evidence" in listing
    assert "add its reporting lines" not in listing


def test_an_update_with_no_lines_asks_for_them(client, sign_in, plan, compliance_manager):
    update = plan()
    sign_in(compliance_manager)
    assert status_of(client.get(update.get_absolute_url()).text) == "Draft — add its reporting lines"


def test_an_update_whose_lines_are_all_evidenced_goes_on_to_its_checks(
    client, sign_in, update_with_a_line, compliance_manager, birch_match
):
    from tests.reporting_control.conftest import verify

    verify(birch_match)
    update = update_with_a_line()
    sign_in(compliance_manager)
    assert status_of(client.get(update.get_absolute_url()).text) == "Draft: checks to do"


def test_the_lift_page_shows_the_hold_and_the_lines_still_lacking(
    client, sign_in, update_with_a_line, compliance_manager, provider_director
):
    """Found: the lift page asked only for a reason; the Provider Director could not see what the hold
    was for, nor that the line it named still lacked evidence."""
    update = update_with_a_line()  # line 1 lacks evidence: Birch Lodge's implementation is not verified
    services.place_hold(update, by=compliance_manager, reason="Line 1 claims shared learning on notices.")
    sign_in(provider_director)
    page = client.get(reverse("reporting_control:hold_lift", args=[update.pk])).text
    held = page.split('data-testid="hold-being-lifted"', 1)[1].split("</div>", 1)[0]
    assert f"Placed by {compliance_manager}" in held
    assert "Line 1 claims shared learning on notices." in held
    lacking = page.split('data-testid="lines-lacking"', 1)[1].split("</div>", 1)[0]
    assert "Line 1: Birch Lodge now checks falls risk at every night round." in lacking
