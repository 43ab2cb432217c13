"""Each person's escalations are theirs: what they act on apart from what others act on at their
services, naming who; and a refusal they can still meet names who can act, to colleagues only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import engine, services
from escalation.choices import EscalationState
from escalation.models import Escalation
from providers.choices import Role
from providers.who_acts import refusal
from tests.factories import person_with_role

from .conftest import at, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(23, 10, 30), tick=False)


@pytest.fixture
def chain_b(chains, provider, elm_house, shifts, subject):
    return services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )


def test_a_refused_check_names_who_records_it_at_the_service(client, sign_in, chain_b, people, now):
    clinical_check = step(chain_b, "B2")
    sign_in(people.registered_manager)
    response = client.post(reverse("escalation:step_run", args=[clinical_check.pk]), {})
    assert response.status_code == 403
    said = f"Only the Clinical Lead at Elm House ({people.clinical_lead}) can record this check."
    assert said in response.text


def test_a_name_with_an_apostrophe_is_printed_as_written(client, sign_in, chain_b, people, now):
    people.clinical_lead.first_name, people.clinical_lead.last_name = "Siobhan", "O'Brien"
    people.clinical_lead.save()
    sign_in(people.registered_manager)
    response = client.post(reverse("escalation:step_run", args=[step(chain_b, "B2").pk]), {})
    assert response.status_code == 403
    said = "Only the Clinical Lead at Elm House (Siobhan O&#x27;Brien) can record this check."
    assert said in response.text


def test_a_refusal_names_everyone_whose_role_lets_them_act_closest_first(chain_a, people, now):
    engine.tick(at(23, 10, 19))  # A2 overdue: escalated to the Quality Director
    escalation = Escalation.objects.get(step_run__code="A2")
    said = refusal(people.registered_manager, "escalation.acknowledge_escalation", escalation)
    assert said == (
        f"Only the Quality Director ({people.quality_director}) or Nominated Individual "
        f"({people.nominated_individual}) for Oakwood Care Group can acknowledge this escalation."
    )


def test_a_commissioner_or_another_providers_person_learns_no_names(
    client, sign_in, chain_b, people, commissioner, other_provider_service, now
):
    clinical_check = step(chain_b, "B2")
    outsider = person_with_role(Role.QUALITY_DIRECTOR, provider=other_provider_service.provider)
    for person in (commissioner, outsider):
        assert refusal(person, "escalation.record_step", clinical_check) == ""
    url = reverse("escalation:step_run", args=[clinical_check.pk])
    sign_in(outsider)
    assert client.post(url, {}).status_code == 404
    sign_in(commissioner)
    response = client.post(url, {})
    assert response.status_code == 403
    assert str(people.clinical_lead) not in response.text and "Only the" not in response.text


def test_a_page_refused_for_a_missing_role_names_who_has_it_at_the_persons_provider(
    client, sign_in, people, other_provider_service
):
    elsewhere = person_with_role(Role.QUALITY_DIRECTOR, provider=other_provider_service.provider)
    sign_in(people.registered_manager)
    response = client.get(reverse("reporting_control:update_create"))
    assert response.status_code == 403
    text = response.text
    assert "can plan an update." in text
    for person in (people.compliance_manager, people.provider_director, people.nominated_individual):
        assert str(person) in text
    assert str(elsewhere) not in text and str(people.quality_director) not in text


def test_the_inbox_shows_escalations_raised_to_others_at_my_service_naming_who_acts(
    client, sign_in, chain_a, people, now
):
    engine.tick(at(23, 10, 19))  # A2 overdue: escalated to the Quality Director, not to the manager
    sign_in(people.registered_manager)
    response = client.get(reverse("escalation:inbox"))
    assert response.context["yours"] == []
    escalation = next(e for e in response.context["others"] if e.step_run.code == "A2")
    assert [(group.role, group.people) for group in escalation.actors] == [
        (Role.QUALITY_DIRECTOR, (people.quality_director,)),
    ]
    others = response.text.split("At your services, done by others", 1)[1].split("<h2>", 1)[0]
    table, under = others.split("</table>", 1)
    assert f"Quality Director for Oakwood Care Group: {people.quality_director}" in table
    assert str(people.nominated_individual) not in table, "the oversight role is not named on every row"
    assert (
        f"The Nominated Individual for Oakwood Care Group ({people.nominated_individual}) can also act "
        "on any of these." in under
    )
    sign_in(people.quality_director)
    response = client.get(reverse("escalation:inbox"))
    assert escalation.pk in [e.pk for e in response.context["yours"]]
    yours = response.text.split("Yours to do", 1)[1].split("<h2>", 1)[0]
    assert "Acted on by" not in yours, "the person's own escalations name nobody else"
    assert escalation.pk not in [e.pk for e in response.context["others"]]


def test_every_dashboard_splits_open_escalations_into_mine_and_others(client, sign_in, chain_a, people, now):
    engine.tick(at(23, 10, 19))
    sign_in(people.quality_director)
    page = client.get(reverse("dashboard", args=["quality_director"])).text
    assert (
        "Yours to do" in page and "Check every service received the learning" in page.split("Yours to do")[1]
    )
    sign_in(people.clinical_lead)
    page = client.get(reverse("dashboard", args=["clinical_lead"])).text
    assert "No open escalations to you." in page
    others = page.split("At your services, done by others", 1)[1].split("All my escalations", 1)[0]
    assert "Check every service received the learning" in others and str(people.quality_director) in others
    listed, under = others.split("</ul>", 1)
    assert str(people.nominated_individual) not in listed
    hint = f"The Nominated Individual for Oakwood Care Group ({people.nominated_individual}) can also"
    assert hint in under


def test_a_row_only_the_nominated_individual_can_act_on_still_names_them(
    client, sign_in, chain_a, people, now
):
    """An escalation to the Nominated Individual (here a role gap: nobody holds the Quality Director
    role) names them on its row: there is nobody else to name."""
    people.quality_director.role_assignments.all().delete()
    engine.tick(at(23, 10, 19))  # A2 overdue: the Quality Director role is empty, the NI is told
    escalation = Escalation.objects.get(step_run__code="A2")
    assert escalation.role_gap
    sign_in(people.registered_manager)
    response = client.get(reverse("escalation:inbox"))
    row = next(e for e in response.context["others"] if e.pk == escalation.pk)
    assert [(group.role, group.people) for group in row.actors] == [
        (Role.NOMINATED_INDIVIDUAL, (people.nominated_individual,))
    ]


def test_the_inbox_and_dashboard_need_the_same_queries_for_one_or_many_escalations_to_others(
    client, sign_in, chains, provider, elm_house, subject, people, now
):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    def start_and_escalate(minute):
        services.start_chain(
            "A", provider=provider, subject=subject(), anchor_at=at(20, 8), service=elm_house
        )
        engine.tick(at(20, 11, minute))  # A1 → Operations Director

    sign_in(people.registered_manager)
    inbox = reverse("escalation:inbox")
    urls = [inbox, f"{inbox}?show=services", reverse("dashboard", args=["registered_manager"])]
    start_and_escalate(1)
    one = [queries(url) for url in urls]
    for minute in range(2, 6):
        start_and_escalate(minute)
    response = client.get(urls[0])
    assert len(response.context["others"]) == 5
    assert [queries(url) for url in urls] == one


def test_the_case_timeline_says_which_steps_are_mine_and_who_records_the_others(
    client, sign_in, chain_b, people, now
):
    sign_in(people.registered_manager)
    response = client.get(reverse("escalation:chain_run", args=[chain_b.pk]))
    occurrences = {s.code: s for group in response.context["steps"] for s in group["occurrences"]}
    assert occurrences["B5"].yours and not occurrences["B2"].yours
    assert [(group.role, group.people) for group in occurrences["B2"].actors] == [
        (Role.CLINICAL_LEAD, (people.clinical_lead,))
    ]
    assert "Yours to record" in response.text
    assert f"Clinical Lead at Elm House: {people.clinical_lead}" in response.text


def test_an_escalation_page_tells_someone_who_cannot_act_who_can(client, sign_in, chain_a, people, now):
    engine.tick(at(23, 10, 19))
    escalation = Escalation.objects.get(step_run__code="A2")
    sign_in(people.registered_manager)
    page = client.get(reverse("escalation:detail", args=[escalation.pk])).text
    assert f"Only the Quality Director ({people.quality_director}) or Nominated Individual" in page
    assert 'action="' + reverse("escalation:acknowledge", args=[escalation.pk]) not in page


def _panel(page: str) -> str:
    panel = page.split('<h2 class="nhsuk-card__heading">Open escalations</h2>', 1)[1]
    return panel.split("All my escalations")[0]


def test_the_panel_counts_what_it_lists_and_says_how_many_more_there_are(
    client, sign_in, chain_a, people, now, monkeypatch
):
    """The Nominated Individual is told of none of these: addressed to others, they are listed as
    others' work (she may act on any: the line under them says so), with how many more there are."""
    from escalation import panels

    engine.tick(at(24, 17))
    open_escalations = Escalation.objects.exclude(state=EscalationState.RESOLVED).count()
    assert open_escalations >= 3
    monkeypatch.setattr(panels, "PANEL_SIZE", 2)
    sign_in(people.nominated_individual)
    panel = _panel(client.get(reverse("dashboard", args=["nominated_individual"])).text)
    yours, others = panel.split("Yours to do", 1)[1].split("At your services, done by others", 1)
    assert "0 open escalations" not in yours and "more to you" not in yours  # her own check only
    assert others.count("<li>") == 2
    assert "can also act on any of these" in others
    assert f'?show=services">And {open_escalations - 2} more at your services</a>' in panel


def test_my_escalations_says_how_many_at_my_services_it_leaves_out(
    client, sign_in, chain_a, people, now, monkeypatch
):
    """When the list of escalations at the Nominated Individual's services (addressed to others, which
    she may also act on) is cut short, the page says so."""
    from escalation.inbox import InboxView

    engine.tick(at(24, 17))
    open_escalations = Escalation.objects.exclude(state=EscalationState.RESOLVED).count()
    monkeypatch.setattr(InboxView, "others_size", 2)
    sign_in(people.nominated_individual)
    response = client.get(reverse("escalation:inbox"))
    assert response.context["yours"] == [] and len(response.context["others"]) == 2
    listed = f"The newest 2 of {open_escalations} open escalations at your services are listed."
    assert listed in response.text
    see_all = f"See all {open_escalations} escalations at your services"
    assert f'href="/escalations/?show=services">{see_all}</a>' in response.text


def test_every_open_escalation_at_my_services_is_listed_a_page_at_a_time(
    client, sign_in, chain_a, people, now, monkeypatch
):
    from escalation.inbox import InboxView

    engine.tick(at(24, 17))
    open_escalations = set(
        Escalation.objects.exclude(state=EscalationState.RESOLVED).values_list("pk", flat=True)
    )
    monkeypatch.setattr(InboxView, "page_size", 2)
    sign_in(people.nominated_individual)
    seen, page = [], 1
    while True:
        response = client.get(reverse("escalation:inbox"), {"show": "services", "page": page})
        assert "Every open escalation at your services that you were not told about" in response.text
        assert response.context["yours"] == [], "addressed to others, though she may act on any"
        seen += [e.pk for e in response.context["others"]]
        if not response.context["page"].has_next():
            break
        assert "show=services&amp;page=" in response.text, "the next page keeps to these escalations"
        page += 1
    assert sorted(seen) == sorted(open_escalations) and page > 1


def test_the_list_of_escalations_at_my_services_keeps_to_my_services(
    client, sign_in, chain_a, people, now, provider, elm_house, cedar_court, subject
):
    services.start_chain("A", provider=provider, subject=subject(), anchor_at=at(20, 16), service=cedar_court)
    engine.tick(at(24, 17))
    assert Escalation.objects.filter(service=cedar_court).exists()
    sign_in(people.registered_manager)
    response = client.get(reverse("escalation:inbox"), {"show": "services"})
    listed = response.context["yours"] + response.context["others"]
    assert listed and {e.service_id for e in listed} == {elm_house.pk}
