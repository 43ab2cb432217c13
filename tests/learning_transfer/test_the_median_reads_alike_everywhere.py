"""Tester 17 (L7): the matched services' table said "provider median 0.0514" beside a rate of 0.0507, and
the decision beside it "provider median 0.051"; the matched services' CSV gave each rate but not the
median it was judged against, so "Above median" could not be checked in a spreadsheet. The decision
writes the median as the table does (to as many places as tell it from the rates), and the CSV has it."""

import csv
import io

import pytest

from learning_transfer.analysis import A1Decision

from .conftest import add_incidents

pytestmark = pytest.mark.django_db


def test_the_decision_writes_the_median_as_the_rates_beside_it_need():
    decision = A1Decision(
        matched_count=3, above_median_count=0, median=0.0514, mandatory=False, rule_text="…", rates=(0.0507,)
    )
    assert "0 above the provider median 0.0514 per 100 care hours" in decision.grounds
    alone = A1Decision(matched_count=3, above_median_count=0, median=0.0514, mandatory=False, rule_text="…")
    assert "provider median 0.051 per 100 care hours" in alone.grounds


def test_the_trigger_page_decision_and_its_csv_give_the_median(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    add_incidents(falls_provider["ash"], 1, prefix="extra")  # Ash Grove 8 / 700 h = 1.143, median 1.0
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    assert "above the provider median 1.000 per 100 care hours" in page
    sheet = client.get(f"/learning/triggers/{trigger.pk}/services.csv").content.decode("utf-8-sig")
    rows = {row["Service"]: row for row in csv.DictReader(io.StringIO(sheet))}
    assert rows["Ash Grove"]["Provider median"] == "1.000"
    assert rows["Ash Grove"]["Against median"] == "Above median"
