"""People outside the provider, and commissioners, cannot open any chain A page; each role can do
only its own part."""

import pytest
from django.urls import reverse

from learning_transfer.models import ImportJob
from learning_transfer.services import issue_notices
from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(log_falls_trigger, managers, quality_director, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    trigger = log_falls_trigger()
    [notice] = issue_notices(trigger, by=quality_director)[:1]
    match = notice.matched_service
    job = ImportJob.objects.create(
        provider=trigger.provider,
        kind="incidents",
        original_name="x.csv",
        file="x.csv",
        created_by=quality_director,
    )
    incident = trigger.source_service.incidents.first()
    return {"trigger": trigger, "notice": notice, "match": match, "job": job, "incident": incident}


def object_pages(world):
    t, n, m, j = world["trigger"].pk, world["notice"].pk, world["match"].pk, world["job"].pk
    return [
        reverse("learning_transfer:trigger_detail", args=[t]),
        reverse("learning_transfer:trigger_learning", args=[t]),
        reverse("learning_transfer:match_adjust", args=[t]),
        reverse("learning_transfer:notice_owner", args=[n]),
        reverse("learning_transfer:match_detail", args=[m]),
        reverse("learning_transfer:match_lead", args=[m]),
        reverse("learning_transfer:match_exposure", args=[m]),
        reverse("learning_transfer:line_add", args=[m]),
        reverse("learning_transfer:import_detail", args=[j]),
        reverse("learning_transfer:import_progress", args=[j]),
        reverse("learning_transfer:incident_review", args=[world["incident"].pk]),
        reverse("learning_transfer:incident_correct", args=[world["incident"].pk]),
    ]


LIST_PAGES = [
    "learning_transfer:trigger_list",
    "learning_transfer:trigger_add",
    "learning_transfer:notice_list",
    "learning_transfer:review_candidates",
    "learning_transfer:incident_add",
    "learning_transfer:import",
    "learning_transfer:summary",
]


def post_actions(world):
    t, n, m = world["trigger"].pk, world["notice"].pk, world["match"].pk
    return [
        reverse("learning_transfer:notices_issue", args=[t]),
        reverse("learning_transfer:notices_redistribute", args=[t]),
        reverse("learning_transfer:trigger_rematch", args=[t]),
        reverse("learning_transfer:trigger_record_a1", args=[t]),
        reverse("learning_transfer:trigger_close", args=[t]),
        reverse("learning_transfer:notice_acknowledge", args=[n]),
        reverse("learning_transfer:match_verify", args=[m]),
    ]


def test_anonymous_people_are_sent_to_log_in(client, world):
    for url in object_pages(world) + [reverse(name) for name in LIST_PAGES]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, url


def test_commissioners_are_refused_every_page_and_action(client, world, commissioner):
    client.force_login(commissioner)
    for url in object_pages(world) + [reverse(name) for name in LIST_PAGES]:
        assert client.get(url).status_code == 403, url
    for url in post_actions(world):
        assert client.post(url).status_code == 403, url


def test_staff_of_another_provider_find_nothing(client, sign_in, world, other_provider_service):
    for role in (Role.QUALITY_DIRECTOR, Role.NOMINATED_INDIVIDUAL):
        outsider = person_with_role(role, provider=other_provider_service.provider)
        sign_in(outsider)
        for url in object_pages(world):
            assert client.get(url).status_code in (403, 404), url
        for url in post_actions(world):
            assert client.post(url).status_code in (403, 404), url
        assert "Unwitnessed fall" not in client.get(reverse("learning_transfer:trigger_list")).text
    # Their own summary shows nothing of ours.
    sign_in(person_with_role(Role.NOMINATED_INDIVIDUAL, provider=other_provider_service.provider))
    assert "Unwitnessed fall" not in client.get(reverse("learning_transfer:summary")).text


def test_a_registered_manager_sees_the_trigger_of_their_matched_service_but_cannot_manage_it(
    client, world, managers
):
    client.force_login(managers["ash"])
    trigger = world["trigger"].pk
    assert client.get(reverse("learning_transfer:trigger_detail", args=[trigger])).status_code == 200
    assert client.get(reverse("learning_transfer:trigger_learning", args=[trigger])).status_code == 403
    assert client.post(reverse("learning_transfer:notices_issue", args=[trigger])).status_code == 403
    assert client.get(reverse("learning_transfer:summary")).status_code == 403
    assert client.get(reverse("learning_transfer:import")).status_code == 403


def test_a_registered_manager_of_an_unmatched_service_does_not_see_the_trigger(client, world, falls_provider):
    ember_manager = person_with_role(Role.REGISTERED_MANAGER, service=falls_provider["ember"])
    client.force_login(ember_manager)
    assert (
        client.get(reverse("learning_transfer:trigger_detail", args=[world["trigger"].pk])).status_code == 404
    )
    assert client.get(reverse("learning_transfer:match_detail", args=[world["match"].pk])).status_code == 404


def test_the_nominated_individual_reads_the_summary_but_does_not_log_triggers(
    client, sign_in, world, nominated_individual
):
    sign_in(nominated_individual)
    assert client.get(reverse("learning_transfer:summary")).status_code == 200
    assert client.get(reverse("learning_transfer:trigger_add")).status_code == 403


def test_a_trigger_page_links_only_the_matched_services_the_person_may_open(
    client, sign_in, log_falls_trigger, registered_manager, quality_director, north, falls_provider
):
    """Elm House's registered manager follows the learning from their home's fall, but the other homes'
    pages are not theirs to open: the trigger page named them as links that led to "page not found".
    A home is now named only to a person who may open it (test_matched_services_shown_by_reach.py),
    and then as a link."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director)
    deputy = person_with_role(Role.DEPUTY_REGIONAL_MANAGER, region=north, username="deputy.north")
    matches = {match.service.name: match for match in trigger.matches.select_related("service__region")}
    assert {"Ash Grove", "Beech Lodge", "Cedar Court"} <= set(matches)

    def links_on_the_trigger_page(person) -> set[str]:
        sign_in(person)
        page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk])).text
        linked = set()
        for name, match in matches.items():
            url = reverse("learning_transfer:match_detail", args=[match.pk])
            if f'href="{url}"' in page:
                linked.add(name)
            assert (name in page) == (name in linked), f"{name} is named without a link"
            assert (client.get(url).status_code == 200) == (name in linked), f"{name}: a link is a page"
        return linked

    assert links_on_the_trigger_page(registered_manager) == set()
    in_the_north = {name for name, match in matches.items() if match.service.region == north}
    assert links_on_the_trigger_page(deputy) == in_the_north != set(matches)
    assert links_on_the_trigger_page(quality_director) == set(matches)
