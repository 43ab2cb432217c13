"""The escalation pages, as the people who use them see them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import computations, context_processors, engine, services
from escalation.models import Escalation, ProviderStepSetting
from tests.factories import CHECK_DONE

from .conftest import at, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(23, 10, 30), tick=False)


def test_my_escalations_lists_what_i_was_told_and_the_header_counts_it(client, sign_in, chain_a, people, now):
    engine.tick(at(23, 10, 19))
    sign_in(people.quality_director)
    page = client.get(reverse("escalation:inbox")).text
    assert "Check every service received the learning" in page and "step overdue" in page and "New" in page
    assert '<span class="app-code">A2</span>' in page
    assert 'aria-label="1 unread"' in page
    # The escalation is about A2, the governance officer's own overdue step: theirs to record, listed
    # as their check, not as an escalation only the Quality Director can acknowledge.
    sign_in(people.governance_officer)
    page = client.get(reverse("escalation:inbox")).text
    assert "You have no open escalations" not in page
    yours = page.split("<h2>Yours to do</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Your check “Check every service received the learning” is overdue — record it" in yours


def test_the_inbox_needs_the_same_queries_for_one_or_many_escalations(
    client, sign_in, chains, provider, elm_house, subject, people, now
):
    def queries_for_inbox():
        sign_in(people.operations_director)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("escalation:inbox")).status_code == 200
        return len(queries.captured_queries)

    services.start_chain("A", provider=provider, subject=subject(), anchor_at=at(20, 8), service=elm_house)
    engine.tick(at(20, 11, 1))  # A1 → Operations Director
    one = queries_for_inbox()
    for _ in range(4):
        services.start_chain(
            "A", provider=provider, subject=subject(), anchor_at=at(20, 8), service=elm_house
        )
    engine.tick(at(20, 11, 2))
    assert Escalation.objects.filter(target_role="operations_director").count() == 5
    assert queries_for_inbox() == one


def test_the_detail_page_says_why_who_and_what_and_acting_on_it_works(client, sign_in, chain_a, people, now):
    a2 = step(chain_a, "A2")
    values = {"pct_received_within_4h": 75, "sampled_with_named_owner": 12, "sampled_due_within_72h": 12}
    record = services.record_step(
        a2, by=people.governance_officer, values=values, now=at(23, 10), check_done=CHECK_DONE
    )
    url = reverse("escalation:detail", args=[record.escalation.pk])
    sign_in(people.quality_director)
    page = client.get(url).text
    rule = "fewer than 100 % of matched services receiving the issued learning notice within 4 hours"
    assert f"Escalate when {rule}" in page
    assert "The values that decided it" in page and "75" in page
    assert "Mon 23 Nov 2026, 10:18" in page  # the step's deadline
    assert str(people.quality_director) in page
    assert "Trigger same-day redistribution" in page
    # Opened is read.
    assert context_processors.header_summary(people.quality_director)["unread_escalations"] == 0

    client.post(reverse("escalation:acknowledge", args=[record.escalation.pk]))
    response = client.post(
        reverse("escalation:record_action", args=[record.escalation.pk]), {"action_taken": ""}
    )
    assert "Describe the action taken." in response.text
    client.post(
        reverse("escalation:record_action", args=[record.escalation.pk]),
        {"action_taken": "Re-sent to 3 services"},
    )
    # Its state says the action is in: it still read "Acknowledged — action to be recorded".
    for shown_on in (url, reverse("escalation:inbox")):
        page = client.get(shown_on).text
        assert "Action recorded — to be resolved" in page and "action to be recorded" not in page
    page = client.post(
        reverse("escalation:resolve", args=[record.escalation.pk]), {"note": "All received"}, follow=True
    ).text
    assert "Escalation resolved" in page and "Re-sent to 3 services" in page
    assert Escalation.objects.get().state == "resolved"


def test_the_case_page_shows_the_five_steps_as_a_timeline(client, sign_in, chain_a, people, time_machine):
    time_machine.move_to(at(23, 12), tick=False)
    engine.tick(at(23, 10, 19))
    values = {
        "matched_services": 3,
        "open_actions_due_5d": 2,
        "matched_service_rates": {"Elm House": 0.9},
        "provider_median_rate": 0.5,
    }
    services.record_step(
        step(chain_a, "A1"),
        by=people.quality_director,
        values=values,
        now=at(23, 10, 50),
        check_done=CHECK_DONE,
    )
    sign_in(people.nominated_individual)
    page = client.get(reverse("escalation:chain_run", args=[chain_a.pk])).text
    for code in ("A1", "A2", "A3", "A4", "A5"):
        assert code in page
    # A1's breach says what it means and what to do; the others say what to do next.
    assert ">Mandatory learning needed — issue it to the matched services today<" in page
    # The Nominated Individual records none of them: each says whom it waits for.
    assert ">Overdue — waiting for " in page and ">Due — waiting for " in page
    assert "record it now" not in page


def test_recording_a_step_shows_the_result_at_once(client, sign_in, chain_a, people, now):
    url = reverse("escalation:step_run", args=[step(chain_a, "A2").pk])
    sign_in(people.governance_officer)
    form = {
        "pct_received_within_4h": "91.7",
        "sampled_with_named_owner": "11",
        "sampled_due_within_72h": "12",
        "check_done": "12-notice sample against the issue log",
        "evidence_links": "https://sharepoint/x",
    }
    page = client.post(url, form, follow=True).text
    saved = "Check every service received the learning (A2) recorded: threshold breached, escalation raised."
    assert saved in page
    assert "Threshold breached" in page and "Escalated to the Quality Director" in page
    assert "91.7" in page


def test_the_record_form_shows_each_bad_value_next_to_its_field(client, sign_in, chain_a, people, now):
    url = reverse("escalation:step_run", args=[step(chain_a, "A2").pk])
    sign_in(people.governance_officer)
    page = client.post(
        url, {"pct_received_within_4h": "140", "sampled_with_named_owner": "-1", "sampled_due_within_72h": ""}
    ).text
    assert "There is a problem" in page
    assert "must be a percentage from 0 to 100, not 140" in page
    assert "must be a whole number, 0 or more, not -1" in page
    assert "Enter sampled notices with an implementation due date within 72 hours." in page
    assert not step(chain_a, "A2").records.exists()


def test_a_group_measure_is_typed_one_item_per_line_and_can_be_prefilled(
    client, sign_in, chain_a, people, now, monkeypatch
):
    def rates(context, days):
        return {"Elm House": 0.9, "Birch Lodge": 0.2}

    registered = computations.registry.get("matched_service_incident_rates")
    monkeypatch.setitem(
        computations.registry._computations,
        registered.key,
        computations.Computation(registered.key, rates, registered.parameters),
    )
    url = reverse("escalation:step_run", args=[step(chain_a, "A1").pk])
    sign_in(people.quality_director)
    page = client.get(url).text
    assert "Elm House = 0.9\nBirch Lodge = 0.2" in page
    assert "Type one matched service per line, like: Elm House = 0.9" in page  # no 'name = number' syntax
    form = {
        "matched_services": "3",
        "open_actions_due_5d": "4",
        "provider_median_rate": "0.5",
        "matched_service_rates": "Elm House = 0.9\nBirch Lodge = 0.2",
        "check_done": "Each service's rate against the incident log.",
    }
    page = client.post(url, form, follow=True).text
    assert "Elm House (0.9)" in page  # the result writes a rate as every page does, no trailing zeros
    bad = client.post(url, {**form, "matched_service_rates": "Elm House 0.9"}).text
    assert "Row 1 of the box: write it as" in bad


def test_the_chain_list_shows_current_values_and_tuning_with_a_reason(
    client, sign_in, chains, people, provider
):
    sign_in(people.administrator)
    page = client.get(reverse("escalation:chains")).text
    assert "Chain A – Learning transfer" in page and "C5" in page
    assert "Check every service received the learning" in page
    assert "Change this step" in page and "(A2)</span> for Oakwood Care Group" in page
    url = reverse("escalation:tune_step", args=["A2"])
    response = client.post(
        f"{url}?provider={provider.pk}", {"threshold_0": "90", "response_working_hours": "-1", "reason": ""}
    )
    # Both mistakes on the first submit.
    assert "Response window (working hours) must be 0 or more." in response.text
    assert "Give the reason for the change." in response.text
    response = client.post(
        f"{url}?provider={provider.pk}",
        {"threshold_0": "140", "response_working_hours": "2", "reason": "Typo"},
    )
    assert "must be between 0 and 100, not 140" in response.text
    assert not ProviderStepSetting.objects.exists()
    response = client.post(
        f"{url}?provider={provider.pk}",
        {"threshold_0": "90", "response_working_hours": "1.5", "reason": "Board decision, March"},
        follow=True,
    )
    assert "A2 updated for Oakwood Care Group" in response.text
    setting = ProviderStepSetting.objects.get()
    assert setting.threshold_rule["value"] == 90 and setting.reason == "Board decision, March"
    page = client.get(reverse("escalation:chains")).text
    assert "Tuned" in page and "below 90" in page and "1.5 working hours" in page
    # Found: the Nominated Individual read only "Tuned ok", not who changed it or when.
    sign_in(people.nominated_individual)
    page = client.get(reverse("escalation:chains")).text
    assert f"by {people.administrator}: Board decision, March" in page


def test_every_staff_dashboard_shows_open_escalations(client, sign_in, chain_a, people, now):
    engine.tick(at(23, 10, 19))
    sign_in(people.quality_director)
    page = client.get(reverse("dashboard", args=["quality_director"])).text
    assert "Open escalations" in page and "Check every service received the learning" in page
    assert "step overdue" in page
    sign_in(people.senior_carer)
    assert "No open escalations to you." in client.get(reverse("dashboard", args=["senior_carer_late"])).text


def test_an_escalation_raised_after_one_dashboard_shows_on_the_next(client, sign_in, chain_a, people, now):
    """The panel's query is compiled once for the person's roles, and each dashboard reads it afresh."""
    sign_in(people.quality_director)
    url = reverse("dashboard", args=["quality_director"])
    assert "Check every service received the learning" not in client.get(url).text
    engine.tick(at(23, 10, 19))
    assert "Check every service received the learning" in client.get(url).text


def test_the_case_page_needs_the_same_queries_for_five_or_thirty_step_runs(
    client, sign_in, chain_a, people, shifts, provider, elm_house, subject
):
    chain_b = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )
    assert chain_b.step_runs.count() > 30
    sign_in(people.nominated_individual)
    counts = []
    for run in (chain_a, chain_b):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("escalation:chain_run", args=[run.pk])).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_the_detail_page_needs_the_same_queries_for_one_or_three_people_told(
    client, sign_in, chain_a, people, provider, now
):
    from providers.choices import Role
    from tests.factories import person_with_role

    [first] = engine.tick(at(23, 10, 1)).overdue  # A1 → one Operations Director
    person_with_role(Role.QUALITY_DIRECTOR, provider=provider, username="quality-2")
    person_with_role(Role.QUALITY_DIRECTOR, provider=provider, username="quality-3")
    [second] = engine.tick(at(23, 10, 19)).overdue  # A2 → three Quality Directors
    assert (first.notifications.count(), second.notifications.count()) == (1, 3)
    sign_in(people.nominated_individual)
    counts = []
    for escalation in (first, second):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("escalation:detail", args=[escalation.pk])).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def headers_of(page: str, caption: str) -> list[str]:
    """The column headers of the table of escalations labelled `caption` on the page."""
    table = page.split(f"{caption}, newest first</caption>", 1)[1].split("</thead>", 1)[0]
    return [cell.split(">", 1)[1].split("<", 1)[0] for cell in table.split("<th ")[1:]]


def test_the_inbox_and_the_case_page_show_escalations_with_one_table_and_their_own_columns(
    client, sign_in, chain_a, people, now
):
    engine.tick(at(23, 10, 19))  # A2 overdue: escalated to the Quality Director
    sign_in(people.quality_director)
    table = "escalation/includes/escalation_table.html"
    inbox = client.get(reverse("escalation:inbox"))
    case = client.get(reverse("escalation:chain_run", args=[chain_a.pk]))
    for response in (inbox, case):
        assert table in [template.name for template in response.templates]
    assert headers_of(inbox.text, "Escalations for you to act on") == [
        "Acknowledge",  # a box to acknowledge it with others, while one is still to acknowledge
        "Escalation",
        "Case",
        "Raised",
        "Acknowledge by",
        "State",
    ]
    assert headers_of(case.text, "Escalations") == ["Escalation", "To", "Raised", "State"]
    # The inbox says whom each went to under its name; the case page has a column for it.
    inbox_row = inbox.text.split("Escalations for you to act on, newest first", 1)[1].split("</tr>", 2)[1]
    assert "To Quality Director" in inbox_row
    case_row = case.text.split("Escalations, newest first", 1)[1].split("</tr>", 2)[1]
    assert "To Quality Director" not in case_row and "</span>Quality Director<" in case_row
