"""After redistributing, a reissued notice is judged against its own round's window, and the page
stops advising redistribution once every included service has received the learning."""

from datetime import timedelta

import pytest
import time_machine

from learning_transfer.models import LearningNotice
from learning_transfer.services import acknowledge_notice, issue_notices, redistribute

from .conftest import CONFIRMED

pytestmark = pytest.mark.django_db
ISSUED = CONFIRMED + timedelta(minutes=30)
REISSUED = ISSUED + timedelta(hours=5)


@time_machine.travel(REISSUED + timedelta(minutes=10), tick=False)
def test_once_every_service_received_the_reissue_the_page_stops_advising_it(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    redistribute(trigger, by=quality_director, now=REISSUED)  # nobody acknowledged round 1
    for notice in LearningNotice.objects.filter(superseded_at=None):
        acknowledge_notice(notice, by=notice.owner, now=REISSUED + timedelta(minutes=2))
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "Redistribute the learning" not in page
    assert "redistribute the same day" not in page
    assert "Within 4 hours of this round" in page  # round 2 acknowledged 2 minutes after it went out
    assert ">Late<" not in page
    # The download says what the page says (found: its rows said "Late", judged on round 1).
    sheet = client.get(f"/learning/triggers/{trigger.pk}/services.csv").content.decode()
    rows = sheet.splitlines()[1:]
    assert len(rows) == 4 and all("Within 4 hours of this round" in row for row in rows)
    assert ",Late," not in sheet


@time_machine.travel(REISSUED + timedelta(minutes=40), tick=False)
def test_the_page_keeps_every_round_of_notices_and_says_what_each_round_reached(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    """Round 1 went to the four falls homes; two acknowledged within 4 hours. Round 2 went to the two
    that had not, 5 hours later: Cedar Court acknowledged it, Dove Cottage's window is still open. The
    page says so in words and lists each service's notices of both rounds, not only the current one."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    for key in ("ash", "beech"):
        notice = LearningNotice.objects.get(matched_service__service__registered_manager=managers[key])
        acknowledge_notice(notice, by=managers[key], now=ISSUED + timedelta(hours=1))
    redistribute(trigger, by=quality_director, now=REISSUED)
    cedar = LearningNotice.objects.get(owner=managers["cedar"], superseded_at=None)
    acknowledge_notice(cedar, by=managers["cedar"], now=REISSUED + timedelta(minutes=30))
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    rounds = page[page.index('id="rounds"') :]
    rounds = rounds[: rounds.index("</table>")]
    assert (
        "Round 1: issued Wed 18 Nov 2026, 10:30 to 4 services; 2 of 4 received within 4 hours, "
        "2 not received in time."
    ) in rounds
    assert (
        "Round 2: reissued Wed 18 Nov 2026, 15:30 to the 2 services without a received notice; "
        "1 of 2 received within 4 hours of the reissue, 1 not yet due."
    ) in rounds
    # Each service's notices, round by round: Cedar Court's missed first notice stays on the page.
    cedar_rows = [row for row in rounds.split("<tr")[1:] if "Cedar Court" in row]
    assert len(cedar_rows) == 2
    assert "Round 1" in cedar_rows[0] and "Wed 18 Nov 2026, 10:30" in cedar_rows[0]
    assert "Not received in time" in cedar_rows[0] and "Replaced by round 2" in cedar_rows[0]
    assert "Round 2" in cedar_rows[1] and "Wed 18 Nov 2026, 16:00" in cedar_rows[1]
    assert "Within 4 hours" in cedar_rows[1]
    dove_rows = [row for row in rounds.split("<tr")[1:] if "Dove Cottage" in row]
    assert [("Round 1" in row, "Not yet due" in row) for row in dove_rows] == [(True, False), (False, True)]
    ash_rows = [row for row in rounds.split("<tr")[1:] if "Ash Grove" in row]
    assert len(ash_rows) == 1 and "Within 4 hours" in ash_rows[0]


@time_machine.travel(ISSUED + timedelta(minutes=10), tick=False)
def test_a_single_round_has_no_round_history(client, sign_in, log_falls_trigger, managers, quality_director):
    """Until learning is reissued there is one round, which the notices table already shows."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert 'id="rounds"' not in page


@time_machine.travel(ISSUED + timedelta(hours=4, minutes=5), tick=False)
def test_a_notice_past_its_window_is_not_shown_as_awaiting(
    client, sign_in, log_falls_trigger, managers, quality_director
):
    """Found: a notice four days past its 4-hour window still wore a neutral blue "Awaiting", while the
    summary counted its service as not receiving the learning in time."""
    trigger = log_falls_trigger()
    issue_notices(trigger, by=quality_director, now=ISSUED)
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    notices = page[page.index("Current notice of each matched service") :]
    notices = notices[: notices.index("</table>")]
    assert notices.count("Not received in time") == 4
    assert "Awaiting" not in notices
    sheet = client.get(f"/learning/triggers/{trigger.pk}/services.csv").content.decode()
    assert sheet.count(",Not received in time,") == 4
