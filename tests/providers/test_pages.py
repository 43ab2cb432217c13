"""Signing in and landing on the right dashboard."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_needs_login(client):
    for url in [reverse("home"), reverse("organisation"), reverse("dashboard", args=["quality_director"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_login_page_rejects_a_wrong_password_with_a_clear_message(client, quality_director):
    response = client.post(reverse("login"), {"username": "quality", "password": "wrong"})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter a correct username and password" in response.text


def test_a_quality_director_lands_on_their_dashboard(client, sign_in, quality_director):
    sign_in(quality_director)  # password and second step (tests/accounts follows each step)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard", args=["quality_director"])
    assert "Log serious failures" in response.text


def test_a_commissioner_lands_on_evidence_packs_and_cannot_see_staff_pages(client, commissioner):
    client.force_login(commissioner)
    assert client.get(reverse("home")).url == reverse("reporting_control:commissioner_packs")
    assert client.get(reverse("organisation")).status_code == 403
    assert client.get(reverse("dashboard", args=["commissioner"])).status_code == 403


def test_nobody_opens_a_dashboard_for_a_role_they_do_not_hold(client, registered_manager):
    client.force_login(registered_manager)
    assert client.get(reverse("dashboard", args=["nominated_individual"])).status_code == 403


def test_the_organisation_page_lists_regions_services_managers_and_risk_profiles(
    client, sign_in, quality_director, elm_house, cedar_court, other_provider_service
):
    sign_in(quality_director)
    page = client.get(reverse("organisation")).text
    assert "North" in page and "South" in page
    assert "Elm House" in page and "Medication" in page
    assert "Faraway Manor" not in page


def test_the_organisation_page_makes_the_same_number_of_queries_for_3_or_30_services(
    client, sign_in, quality_director, north
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from providers.choices import RiskTag
    from tests.factories import RegionFactory, ServiceFactory

    def queries_for_page():
        sign_in(quality_director)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("organisation")).status_code == 200
        return len(captured)

    ServiceFactory.create_batch(3, region=north, tags=[RiskTag.FALLS])
    few = queries_for_page()
    ServiceFactory.create_batch(27, region=north, tags=[RiskTag.FALLS, RiskTag.MEDICATION])
    assert queries_for_page() == few
    # Nor for services in more regions: each region's heading names its provider.
    for name in ("East", "West", "Coast"):
        ServiceFactory.create_batch(2, region=RegionFactory(provider=north.provider, name=name))
    assert queries_for_page() == few


def test_repeated_wrong_passwords_lock_that_account_but_not_a_colleague_on_the_same_network(
    client, settings, quality_director, nominated_individual
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "quality", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "quality", "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "Your account is locked for now" in locked.text
    colleague = client.post(reverse("login"), {"username": "ni", "password": "correct-horse-battery"})
    assert colleague.status_code == 302


def test_a_large_groups_organisation_page_shows_its_services_a_page_at_a_time_under_their_regions(
    client, sign_in, quality_director, north, south, elm_house
):
    """500 services on one page took a large group's page 130 ms and a phone a long scroll: 50 a page,
    in region order, each page's services under their region's heading, every service on some page."""
    from tests.factories import ServiceFactory

    ServiceFactory.create_batch(30, region=north)
    ServiceFactory.create_batch(30, region=south)
    visible = set(quality_director.role_assignments.first().provider.services.values_list("name", flat=True))
    sign_in(quality_director)
    first, second = (client.get(reverse("organisation"), {"page": n}) for n in (1, 2))
    assert f"{len(visible)} services you can see, by region. Services 1 to 50." in first.text
    pages = (first, second)
    listed = [[s.name for group in page.context["by_region"].values() for s in group] for page in pages]
    assert len(listed[0]) == 50 and set(listed[0] + listed[1]) == visible
    regions = [[r.name for r in page.context["by_region"]] for page in (first, second)]
    assert regions[0] == sorted(regions[0]) and regions[0][-1] <= regions[1][0]
    assert "Next" in first.text and "Page 2 of 2" in first.text


def test_a_choice_reads_as_its_label_and_a_retired_value_as_stored():
    """`label_of` gives what get_FOO_display() gives, for every choice and for a value since retired."""
    from providers.choices import RiskLevel, RiskTag, Role, label_of
    from providers.models import Service, ServiceRiskTag

    for value, label in RiskTag.choices:
        assert str(ServiceRiskTag(tag=value)) == label == ServiceRiskTag(tag=value).get_tag_display()
    assert (
        str(ServiceRiskTag(tag="retired_tag"))
        == "retired_tag"
        == ServiceRiskTag(tag="retired_tag").get_tag_display()
    )
    for value in [*RiskLevel.values, "retired"]:
        assert label_of(RiskLevel, value) == Service(risk_level=value).get_risk_level_display()
    assert [label_of(Role, value) for value in Role.values] == Role.labels


def test_a_person_sees_only_their_own_services_on_the_organisation_page_and_a_clear_line_when_none(
    client, elm_house, cedar_court, north
):
    """The page of services and their risk tags are read by kept SQL for the person's own scope: a
    registered manager's page lists their home with its tags in order, nobody else's; a deputy for a
    region with no services yet is told so plainly."""
    from providers.choices import RiskTag, Role
    from tests.factories import RegionFactory, person_with_role

    manager = person_with_role(Role.REGISTERED_MANAGER, service=elm_house)
    client.force_login(manager)
    response = client.get(reverse("organisation"))
    listed = {
        s.name: [t.tag for t in s.risk_profile]
        for group in response.context["by_region"].values()
        for s in group
    }
    assert list(listed) == ["Elm House"]
    assert listed["Elm House"] == sorted(listed["Elm House"]) and RiskTag.MEDICATION in listed["Elm House"]
    assert "1 service you can see, by region." in response.text and "Cedar Court" not in response.text

    deputy = person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=RegionFactory(provider=north.provider))
    client.force_login(deputy)
    response = client.get(reverse("organisation"))
    assert response.status_code == 200
    assert "0 services you can see, by region." in response.text
    assert "You cannot see any services." in response.text
