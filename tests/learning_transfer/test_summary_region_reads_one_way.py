"""Under a region filter the executive summary's trigger count, its "with learning issued" count and
its table's rows read one set of triggers, the one the page names in plain words: the triggers with a
matched service in that region. Learning not issued yet reads so, never as a 0.0% confirmation rate.

Hand-worked data (Elm House, the source of every trigger, is in the North):
  Falls, issued      matched Ash Grove, Beech Lodge (North), Cedar Court, Dove Cottage (South)
  Medication, issued matched Ember Court (South) only
  Falls, not issued  matched as the first, learning not issued yet
North: the first and the third (2, 1 with learning issued); the medication trigger has no matched
service there, though its source is there. South: all three (3, 2 with learning issued).
"""

from datetime import timedelta

import pytest
import time_machine

from learning_transfer.services import issue_notices
from learning_transfer.services.summary import SummaryFilters, executive_summary
from learning_transfer.services.summary_words import scope_words
from providers.choices import RiskTag

from .conftest import CONFIRMED
from .test_executive_summary import ISSUED, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_triggers(log_falls_trigger, managers, quality_director):
    """The falls trigger issued, a medication trigger issued to the South alone, a falls trigger not
    issued yet (newest last)."""
    falls = log_falls_trigger()
    issue_notices(falls, by=quality_director, now=ISSUED)
    medication = log_falls_trigger(
        title="Wrong dose given",
        risk_tags=[RiskTag.MEDICATION],
        confirmed_at=CONFIRMED + timedelta(hours=1),
        now=NOW,
        log_late=True,
    )
    issue_notices(medication, by=quality_director, now=NOW)
    waiting = log_falls_trigger(
        title="Fall on the stairs", confirmed_at=CONFIRMED + timedelta(hours=2), now=NOW, log_late=True
    )
    return {"falls": falls, "medication": medication, "waiting": waiting}


def summary_page(client, sign_in, person, region=None) -> str:
    sign_in(person)
    query = f"?period=all&region={region.pk}" if region else "?period=all"
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/learning/summary/{query}").text


def shown(page: str, testid: str, end: str) -> str:
    return page.split(f'data-testid="{testid}"', 1)[1].split(">", 1)[1].split(end, 1)[0]


def table_rows(page: str) -> list[str]:
    """The summary table's body rows, each as its markup."""
    body = shown(page, "summary-triggers", "</tbody>")
    return body.split('<tr class="nhsuk-table__row">')[2:]  # after the header row


def test_the_count_and_the_rows_read_the_triggers_with_a_matched_service_in_the_region(
    three_triggers, provider, north, south
):
    in_north = executive_summary(provider, SummaryFilters(period="all", region=north), NOW)
    in_south = executive_summary(provider, SummaryFilters(period="all", region=south), NOW)
    north_rows = [row["trigger"].title for row in in_north["trigger_rows"]]
    south_rows = [row["trigger"].title for row in in_south["trigger_rows"]]
    # The medication trigger's source is in the North, but none of its matched services is.
    assert north_rows == ["Fall on the stairs", "Unwitnessed fall at night"]
    assert south_rows == ["Fall on the stairs", "Wrong dose given", "Unwitnessed fall at night"]
    assert (in_north["trigger_count"], in_north["issued_triggers"]) == (2, 1)
    assert (in_south["trigger_count"], in_south["issued_triggers"]) == (3, 2)
    # Each count is the number of rows, and of rows whose learning was issued.
    for summary in (in_north, in_south):
        rows = summary["trigger_rows"]
        assert summary["trigger_count"] == len(rows)
        issued = [row for row in rows if row["trigger"].notices_issued_at]
        assert summary["issued_triggers"] == len(issued)


def test_the_page_names_the_set_its_figures_read_and_its_header_agrees_with_its_rows(
    client, sign_in, three_triggers, nominated_individual, north
):
    page = summary_page(client, sign_in, nominated_individual, north)
    assert "Triggers with a matched service in North" in shown(page, "summary-scope", "</p>")
    assert shown(page, "trigger-count", "</dd>").startswith("2 (1 with learning issued)")
    rows = table_rows(page)
    assert len(rows) == 2
    assert sum("Learning issued" in row for row in rows) == 1
    assert not any("Wrong dose given" in row for row in rows)


def test_every_trigger_is_named_as_such_without_a_region(
    client, sign_in, three_triggers, nominated_individual
):
    page = summary_page(client, sign_in, nominated_individual)
    assert "Every trigger" in shown(page, "summary-scope", "</p>")
    assert shown(page, "trigger-count", "</dd>").startswith("3 (2 with learning issued)")


def test_learning_not_issued_yet_reads_so_not_as_a_zero_rate(
    client, sign_in, three_triggers, provider, nominated_individual, north
):
    summary = executive_summary(provider, SummaryFilters(period="all", region=north), NOW)
    waiting = next(row for row in summary["trigger_rows"] if row["trigger"].title == "Fall on the stairs")
    assert waiting["rate"] is None
    page = summary_page(client, sign_in, nominated_individual, north)
    [row] = [row for row in table_rows(page) if "Fall on the stairs" in row]
    verified = row.split("Verified </span>", 1)[1].split("</td>", 1)[0]
    assert verified == "Not issued yet"
    assert "0.0%" not in row


@pytest.mark.parametrize(
    "theme, period, said",
    [
        ("", "365", "Every trigger confirmed in the last 12 months"),
        ("", "all", "Every trigger"),
        ("fall", "30", "Triggers on the theme “Fall”, confirmed in the last 30 days"),
        ("medication", "all", "Triggers on the theme “Medication error”"),
    ],
)
def test_the_page_names_every_filter_it_applies(theme, period, said):
    """Found: filtered to one theme, or to the last 30 days, the page still said "Every trigger, with
    all its matched services" above a table of one trigger."""
    assert scope_words(SummaryFilters(theme=theme, period=period)) == said


def test_no_filter_box_is_called_optional(client, sign_in, three_triggers, nominated_individual):
    """Found: "Period (optional)" above a box with no empty choice, and every other filter box marked
    "(optional)", as if the filter were a form to fill: every box of a filter only narrows the list."""
    page = summary_page(client, sign_in, nominated_individual)
    assert 'for="id_period">Period<' in page
    assert 'for="id_region">Region<' in page and 'for="id_theme">Theme<' in page
