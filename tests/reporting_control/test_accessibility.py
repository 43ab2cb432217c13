"""The main chain C pages pass the structural accessibility check."""

from django.urls import reverse

from reporting_control import services
from tests.accessibility import assert_accessible


def test_staff_pages_are_accessible(client, sign_in, evidenced_update, compliance_manager, provider_director):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Check.")
    sign_in(compliance_manager)
    pk = evidenced_update.pk
    for url in [
        reverse("reporting_control:update_list"),
        reverse("reporting_control:update_create"),
        reverse("reporting_control:update_detail", args=[pk]),
        reverse("reporting_control:line_create", args=[pk]),
        reverse("reporting_control:hold_place", args=[pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_accessible(response.text)
    sign_in(provider_director)
    assert_accessible(client.get(reverse("reporting_control:hold_lift", args=[pk])).text)


def test_the_commissioner_portal_is_accessible(
    client, evidenced_update, provider_director, birch_lodge, django_capture_on_commit_callbacks
):
    from providers.choices import Role
    from tests.factories import person_with_role

    commissioner = person_with_role(Role.COMMISSIONER, service=birch_lodge, username="c")
    with django_capture_on_commit_callbacks(execute=True):
        services.release_update(evidenced_update, by=provider_director)
    client.force_login(commissioner)
    assert_accessible(client.get(reverse("reporting_control:commissioner_packs")).text)
