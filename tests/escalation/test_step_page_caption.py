"""The line above a step's heading says in a care manager's words which case it belongs to and, for a
check run each shift or day, which check it is and for which shift or day: never "Chain B –" or
"occurrence 3". The step's code stays the small label beside its name."""

import re

import pytest

from escalation import services

from .conftest import at, step

pytestmark = pytest.mark.django_db

CAPTION = re.compile(r'<span class="nhsuk-caption-l">(.*?)</span>\s*<h1', re.S)


@pytest.fixture
def chain_b(chains, provider, elm_house, shifts, subject, time_machine):
    """Learning deployed at Elm House (early, late and night shifts) at 09:00 on Monday 23 November."""
    time_machine.move_to(at(23, 10), tick=False)
    return services.start_chain(
        "B", provider=provider, subject=subject(), anchor_at=at(23, 9), service=elm_house
    )


def caption(client, step_run) -> str:
    page = client.get(step_run.get_absolute_url()).text
    return " ".join(re.sub(r"<[^>]+>", " ", CAPTION.search(page).group(1)).split())


@pytest.mark.parametrize(
    "code, occurrence, which",
    [
        ("B1", 1, "1st check of 22, late shift of Mon 23 Nov"),
        ("B1", 2, "2nd check of 22, night shift of Mon 23 Nov"),  # due at 01:30 on Tuesday
        ("B2", 3, "3rd check of 6, for Wed 25 Nov"),
        ("B4", 2, "2nd check of 8, late shift of Tue 24 Nov"),
    ],
)
def test_a_recurring_check_says_which_check_and_shift_or_day(
    client, sign_in, chain_b, people, code, occurrence, which
):
    sign_in(people.registered_manager)
    words = caption(client, step(chain_b, code, occurrence))
    assert words == f"Adoption in live practice: {chain_b.subject_label} · {which}"


def test_a_step_done_once_names_only_its_case(client, sign_in, chain_b, chain_a, people):
    sign_in(people.nominated_individual)
    assert caption(client, step(chain_b, "B3")) == f"Adoption in live practice: {chain_b.subject_label}"
    assert caption(client, step(chain_a, "A2")) == f"Learning transfer: {chain_a.subject_label}"


def test_the_caption_never_reads_as_jargon(client, sign_in, chain_b, people):
    sign_in(people.registered_manager)
    page = client.get(step(chain_b, "B1", 5).get_absolute_url()).text
    assert "occurrence" not in page.lower() and "Chain B –" not in page
    assert '<span class="app-code">B1</span>' in page  # the code stays, as the small label
