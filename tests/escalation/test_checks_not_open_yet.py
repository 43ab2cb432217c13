"""A check of a step run each working day opens only when the one before it falls due, a shift's check
when its shift starts. Every list of a case's checks says so ("Not open yet — opens …", a grey tag),
never "Due", and reads when each opens from its own row: the same number of queries however many checks
it shows."""

import re
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import services
from escalation.models import StepRun
from providers.calendar import LONDON

from .conftest import at, step

pytestmark = pytest.mark.django_db

TAG = re.compile(r'<strong class="nhsuk-tag nhsuk-tag--(\w+)">([^<]*)</strong>')


@pytest.fixture
def chain_b(chains, provider, elm_house, shifts, subject):
    """Learning deployed at Elm House at 09:00 on Monday 23 November: B2 falls due at 14:16 each
    working day, so Tuesday's B2 opens at 14:16 on Monday."""
    return services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )


def tag_in_row(page: str, step_run: StepRun) -> tuple[str, str]:
    """The (colour, words) of the state tag in the timeline row that links to `step_run`."""
    row = page.split(f'href="{step_run.get_absolute_url()}"', 1)[1].split("</tr>", 1)[0]
    return TAG.search(row).groups()


def test_the_case_timeline_says_a_later_check_is_not_open_yet(client, sign_in, chain_b, people, time_machine):
    time_machine.move_to(at(23, 10), tick=False)
    sign_in(people.nominated_individual)
    url = reverse("escalation:chain_run", args=[chain_b.pk])
    page = client.get(url).text
    monday, tuesday = step(chain_b, "B2"), step(chain_b, "B2", 2)
    # The clinical lead records B2: the Nominated Individual is told whom it waits for.
    waiting = ("blue", f"Due — waiting for {people.clinical_lead} (Clinical Lead)")
    assert tag_in_row(page, monday) == waiting
    assert tag_in_row(page, tuesday) == ("grey", "Not open yet — opens Mon 23 Nov 2026, 14:16")

    time_machine.move_to(at(23, 14, 17), tick=False)  # Monday's check fell due: Tuesday's is open
    sign_in(people.nominated_individual)  # hours later: signed in afresh
    page = client.get(url).text
    assert tag_in_row(page, tuesday) == waiting
    assert tag_in_row(page, step(chain_b, "B2", 3)) == ("grey", "Not open yet — opens Tue 24 Nov 2026, 14:16")


def test_a_check_not_open_yet_is_shown_so_and_its_words_are_plain(chain_b):
    tuesday = step(chain_b, "B2", 2)
    assert tuesday.display_state(at(23, 10)) == "not_open"
    assert tuesday.state_words("not_open") == "Not open yet — opens Mon 23 Nov 2026, 14:16"
    # Open from its predecessor's deadline on, and overdue once its own has passed.
    assert tuesday.display_state(at(23, 14, 16)) == "due"
    assert tuesday.display_state(at(24, 14, 16)) == "overdue"
    assert step(chain_b, "B2").display_state(at(23, 9)) == "due"  # a first check is open from the start


def test_every_check_of_every_chain_opens_in_turn_and_a_shifts_check_with_its_shift(
    chains, chain_b, provider, elm_house, north, south, subject
):
    """When each check opens, as the case was scheduled (the step page's "This check opens at …", the
    lists' tag): a later daily check when the one before it falls due; a shift's check when its shift
    starts (B1 4 hours before its deadline, B4 at the late shift's 14:00), never before the one before
    it falls due; B5 once the shifts it looks at have run; any other step done once from the start."""
    chain_a = services.start_chain(
        "A", provider=provider, subject=subject(), anchor_at=at(20, 16), regions=[north, south]
    )
    issue = at(4, 12, month=12)
    chain_c = services.start_chain("C", provider=provider, subject=subject("Update"), anchor_at=issue)
    listed = list(StepRun.objects.order_by("pk"))
    assert {s.chain_run_id for s in listed} == {chain_a.pk, chain_b.pk, chain_c.pk}
    due = {(s.chain_run_id, s.code, s.region_id, s.occurrence): s.due_at for s in listed}
    opening = [s for s in listed if s.opens_at is not None]
    assert {s.code for s in opening} == {"B1", "B2", "B4", "B5", "C2"}  # A4 runs once per region
    for check in listed:
        before = due.get((check.chain_run_id, check.code, check.region_id, check.occurrence - 1))
        opens = check.opens_at
        if check.code in ("B2", "C2"):
            assert opens == before, check
        elif check.code == "B1":
            assert opens == check.due_at.astimezone(UTC) - timedelta(hours=4), check
        elif check.code == "B4":
            assert (opens.astimezone(LONDON).hour, opens.astimezone(LONDON).minute) == (14, 0), check
        elif check.code == "B5":
            assert at(23, 9) < opens < check.due_at, check
        else:
            assert opens is None, check
        if opens is not None:
            assert before is None or before <= opens, check


def test_the_case_page_needs_the_same_queries_with_many_checks_not_open_yet(
    client, sign_in, chain_b, people, provider, elm_house, subject, time_machine
):
    """Two weeks of checks, most of them not open yet, take the queries of one week's."""
    time_machine.move_to(at(23, 10), tick=False)
    two_weeks = at(4, 17, month=12)
    longer = services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house, until=two_weeks
    )
    assert longer.step_runs.count() > chain_b.step_runs.count() + 15
    sign_in(people.nominated_individual)
    counts = []
    for run in (chain_b, longer):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("escalation:chain_run", args=[run.pk])).text
        assert page.count("Not open yet — opens") > 20
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
