"""The quality director logs a serious failure and sees the matched services, their rates and the A1
decision at once (the hand-worked example is in conftest.falls_provider)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from escalation import computations
from learning_transfer import chain
from learning_transfer.models import ImplementationLine
from learning_transfer.services import adjust_match, log_trigger, match_services
from learning_transfer.services.measures import a1_decision, picture
from providers.choices import RiskTag, Role
from tests.factories import person_with_role

from .conftest import CONFIRMED, LONDON, add_incidents

pytestmark = pytest.mark.django_db


def rows(trigger):
    return {m.service.name: m for m in trigger.matches.select_related("service")}


def test_logging_a_trigger_matches_services_sharing_a_tag_and_the_source_type(log_falls_trigger):
    trigger = log_falls_trigger()
    # Not Elm House (the source), not Ember Court (no falls tag), not Fern Home Care (another type).
    assert sorted(rows(trigger)) == ["Ash Grove", "Beech Lodge", "Cedar Court", "Dove Cottage"]
    assert all(m.matched_by_rule and m.included for m in rows(trigger).values())


def test_each_matched_service_has_its_7_day_rate_against_the_provider_median(log_falls_trigger):
    trigger = log_falls_trigger()
    found = rows(trigger)
    assert trigger.provider_median_rate == Decimal("1.000")
    assert (found["Ash Grove"].incidents_7d, found["Ash Grove"].care_hours_7d) == (7, Decimal("700.00"))
    assert found["Ash Grove"].rate_7d == Decimal("1.000") and not found["Ash Grove"].above_median  # the tie
    assert found["Beech Lodge"].rate_7d == Decimal("0.500")
    assert found["Cedar Court"].rate_7d == Decimal("0.000")  # no incidents
    assert found["Dove Cottage"].rate_7d is None and not found["Dove Cottage"].above_median  # no care hours


def test_four_matches_none_above_the_median_is_not_mandatory_learning(log_falls_trigger):
    trigger = log_falls_trigger()
    decision = a1_decision(picture(trigger, CONFIRMED))
    assert (decision.matched_count, decision.above_median_count, decision.mandatory) == (4, 0, False)


def test_one_more_fall_at_ash_grove_puts_it_above_the_median_and_makes_learning_mandatory(
    log_falls_trigger, falls_provider
):
    add_incidents(falls_provider["ash"], 1, prefix="extra")
    trigger = log_falls_trigger()
    # Ash 8/700 = 1.143; the median of 0, 0.5, 1.0 (Elm), 1.143, 2.0 stays 1.0.
    assert trigger.provider_median_rate == Decimal("1.000")
    assert rows(trigger)["Ash Grove"].above_median
    decision = a1_decision(picture(trigger, CONFIRMED))
    assert decision.mandatory and decision.above_median_count == 1


def test_the_a1_values_are_the_engine_measures(log_falls_trigger):
    values = computations.compute(chain.step_run(log_falls_trigger(), "A1"), CONFIRMED).values
    assert values == {
        "matched_services": 4,
        "open_actions_due_5d": 0,
        "matched_service_rates": {"Ash Grove": 1.0, "Beech Lodge": 0.5, "Cedar Court": 0.0},
        "provider_median_rate": 1.0,
    }


def test_open_action_lines_due_within_5_working_days_are_counted(log_falls_trigger, falls_provider):
    ash = falls_provider["ash"]
    # Confirmed Wednesday 18 November: the 5th working day after is Wednesday 25 November (17:00).
    for due in (CONFIRMED - timedelta(days=1), CONFIRMED + timedelta(days=7, hours=7)):
        ImplementationLine.objects.create(service=ash, task="Check sensor mats", due_at=due)
    ImplementationLine.objects.create(
        service=ash, task="Later", due_at=CONFIRMED + timedelta(days=7, hours=8)
    )
    ImplementationLine.objects.create(
        service=ash, task="Done", due_at=CONFIRMED, completed_at=CONFIRMED - timedelta(hours=1)
    )
    trigger = log_falls_trigger()
    assert rows(trigger)["Ash Grove"].open_actions_due_5d == 2


def test_matching_across_service_types_when_the_quality_director_asks(log_falls_trigger):
    trigger = log_falls_trigger(match_same_service_type=False)
    assert "Fern Home Care" in rows(trigger)


def test_the_quality_director_adds_a_service_with_a_reason(
    log_falls_trigger, falls_provider, quality_director
):
    trigger = log_falls_trigger()
    added = adjust_match(
        trigger, falls_provider["ember"], True, "Night staffing mirrors Elm House", quality_director
    )
    assert added.included and not added.matched_by_rule and added.rate_7d == Decimal("2.000")
    assert added.above_median  # 2.0 against the recorded median of 1.0
    assert added.history.first().history_change_reason.startswith("Added: Night staffing")


def test_leaving_out_a_service_needs_a_reason_and_keeps_it_visible(
    log_falls_trigger, falls_provider, quality_director
):
    trigger = log_falls_trigger()
    with pytest.raises(ValidationError) as error:
        adjust_match(trigger, falls_provider["cedar"], False, "  ", quality_director)
    assert "reason" in error.value.message_dict
    adjust_match(trigger, falls_provider["cedar"], False, "Closed for refurbishment", quality_director)
    cedar = rows(trigger)["Cedar Court"]
    assert not cedar.included and cedar.reason == "Closed for refurbishment"
    assert a1_decision(picture(trigger, CONFIRMED)).matched_count == 3


def test_running_matching_again_keeps_the_quality_directors_choices(
    log_falls_trigger, falls_provider, quality_director
):
    trigger = log_falls_trigger()
    adjust_match(trigger, falls_provider["cedar"], False, "Closed for refurbishment", quality_director)
    adjust_match(trigger, falls_provider["ember"], True, "Same night rota", quality_director)
    match_services(trigger, by=quality_director)
    found = rows(trigger)
    assert not found["Cedar Court"].included
    assert found["Ember Court"].included and not found["Ember Court"].matched_by_rule


def test_the_source_service_cannot_be_added_as_a_match(log_falls_trigger, falls_provider, quality_director):
    trigger = log_falls_trigger()
    with pytest.raises(ValidationError):
        adjust_match(trigger, falls_provider["elm"], True, "Also here", quality_director)


def test_only_a_quality_director_logs_a_trigger(falls_provider, nominated_individual):
    with pytest.raises(PermissionDenied):
        log_trigger(
            by=nominated_individual,
            source_service=falls_provider["elm"],
            title="Fall",
            theme="fall",
            risk_tags=[RiskTag.FALLS],
            what_happened="A fall.",
            confirmed_at=CONFIRMED,
        )


def test_a_quality_director_of_another_provider_cannot_log_here(falls_provider, other_provider_service):
    outsider = person_with_role(Role.QUALITY_DIRECTOR, provider=other_provider_service.provider)
    with pytest.raises(PermissionDenied):
        log_trigger(
            by=outsider,
            source_service=falls_provider["elm"],
            title="Fall",
            theme="fall",
            risk_tags=[RiskTag.FALLS],
            what_happened="A fall.",
            confirmed_at=CONFIRMED,
        )


def test_a_trigger_needs_a_risk_tag_and_a_confirmation_in_the_past(log_falls_trigger):
    with pytest.raises(ValidationError) as error:
        log_falls_trigger(risk_tags=[])
    assert "risk_tags" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        log_falls_trigger(confirmed_at=CONFIRMED + timedelta(days=1))
    assert "confirmed_at" in error.value.message_dict


def test_logging_starts_chain_a_with_a1_due_two_working_hours_after_confirmation(log_falls_trigger):
    from learning_transfer import chain

    trigger = log_falls_trigger()
    a1 = chain.step_run(trigger, "A1")
    assert a1 is not None
    assert a1.due_at == CONFIRMED.replace(hour=12).astimezone(LONDON)


def test_a_provider_that_tuned_a1_to_more_than_four_matches_sees_that_rule_decide(
    log_falls_trigger, falls_provider
):
    from escalation.models import StepTemplate
    from escalation.rules import with_thresholds
    from escalation.services import tune_step

    add_incidents(falls_provider["ash"], 1, prefix="extra")
    provider = falls_provider["ash"].provider
    step = StepTemplate.objects.get(chain__code="A", code="A1")
    admin = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider)
    tune_step(
        provider,
        step,
        by=admin,
        reason="Large group: learning is mandatory only when more than four homes match.",
        threshold_rule=with_thresholds(step.threshold_rule, [4]),
    )
    decision = a1_decision(picture(log_falls_trigger(), CONFIRMED))
    # Four matches with one above the median: mandatory under the seed's "> 2", not under "> 4".
    assert decision.matched_count == 4 and decision.above_median_count == 1
    assert not decision.mandatory
    assert "more than 4 services" in decision.explanation


def test_a_trigger_whose_case_never_started_is_judged_by_the_providers_rule_now(
    log_falls_trigger, provider, administrator, client, sign_in, quality_director
):
    """A trigger can be listed without a chain A case (a large provider's history loaded in bulk): its
    page still shows the A1 decision, judged by the rule as the provider runs it now."""
    from django.urls import reverse

    from escalation import services as engine
    from escalation.models import StepTemplate

    trigger = log_falls_trigger()
    chain.run_for(trigger).delete()
    assert not a1_decision(picture(trigger, CONFIRMED)).mandatory  # the default: none above the median
    a1 = StepTemplate.objects.get(code="A1")
    engine.tune_step(
        provider,
        a1,
        by=administrator,
        reason="Any three comparable services call for learning.",
        threshold_rule={"measure": "matched_services", "op": ">", "value": 2},
        response_working_hours=a1.response_working_hours,
    )
    assert a1_decision(picture(trigger, CONFIRMED)).mandatory  # four matched services: more than 2
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:trigger_detail", args=[trigger.pk]))
    assert page.status_code == 200
    assert "Mandatory learning needed" in page.text


def test_a_tag_or_cause_since_retired_is_shown_as_stored_not_dropped():
    """A trigger matched on a tag later retired still says it matched on it: the rule and its matches
    read as they were run, not as if that tag had never been asked for."""
    from learning_transfer.choices import RootCauseFactor
    from learning_transfer.models import LearningTrigger, MatchedService
    from providers.choices import RiskTag

    trigger = LearningTrigger(
        risk_tags=[RiskTag.FALLS, "bed_rails"], root_cause_factors=[RootCauseFactor.values[0], "old_cause"]
    )
    assert trigger.risk_tag_labels == [RiskTag.FALLS.label, "bed_rails"]
    assert trigger.root_cause_labels == [RootCauseFactor.labels[0], "old_cause"]
    assert MatchedService(shared_tags=["bed_rails", RiskTag.MEDICATION]).shared_tag_labels == [
        "bed_rails",
        RiskTag.MEDICATION.label,
    ]


def test_a_risk_level_or_theme_since_retired_still_names_its_group_and_reason():
    """A4's service groups and a review flag's reason read a risk level or theme since retired as
    stored, after the current levels, rather than failing the whole trigger or review page."""
    from learning_transfer.choices import IncidentTheme, ReviewReason
    from learning_transfer.models import Incident, MatchedService, ReviewThresholds
    from learning_transfer.services.measures import ServiceRow, group_name, service_groups
    from learning_transfer.services.review import _reason_words
    from providers.choices import RiskLevel
    from providers.models import Service

    def row(name, level):
        match = MatchedService(service=Service(name=name, risk_level=level))
        return ServiceRow(match, [], None, False, None, [], 0)

    rows = [row("Ash", "very_high"), row("Beech", RiskLevel.LOW), row("Cedar", RiskLevel.HIGH)]
    assert group_name(rows[0].match.service) == "very_high-risk services"
    assert list(service_groups(rows)) == [
        "High-risk services",
        "Low-risk services",
        "very_high-risk services",
    ]
    thresholds = ReviewThresholds(repeat_count=3, repeat_window_days=28)
    assert _reason_words(Incident(theme=IncidentTheme.FALL), ReviewReason.REPEATED, thresholds) == (
        "3 or more fall incidents here within 28 days"
    )
    assert _reason_words(Incident(theme="wandering"), ReviewReason.REPEATED, thresholds) == (
        "3 or more wandering incidents here within 28 days"
    )


def test_each_matched_service_is_on_record_as_matched_by_the_rule_by_whom_with_what_was_matched(
    log_falls_trigger, quality_director, falls_provider
):
    """Every match the rule makes has one history row, as django-simple-history writes one: created
    ('+'), by the person who logged the failure, why, and each recorded field as it was saved.
    Matching again adds the services newly matching with a row of their own and leaves the others'."""
    trigger = log_falls_trigger()
    historical = type(trigger.matches.first().history.first())
    tracked = [field.attname for field in historical.tracked_fields]
    for match in trigger.matches.all():
        (row,) = match.history.all()
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            quality_director,
            "Matched by the risk-profile rule",
        )
        assert [getattr(row, name) for name in tracked] == [getattr(match, name) for name in tracked]
    ember = falls_provider["ember"]
    ember.risk_tags.create(tag=RiskTag.FALLS)
    match_services(trigger)  # the system refreshes the figures: no one named
    added = trigger.matches.get(service=ember)
    (row,) = added.history.all()
    assert (row.history_type, row.history_user, row.shared_tags) == ("+", None, [RiskTag.FALLS])
    assert all(m.history.filter(history_type="+").count() == 1 for m in trigger.matches.all())


def test_matching_again_stores_each_services_new_figures_with_a_history_row_of_the_change(
    log_falls_trigger, quality_director, falls_provider
):
    """Run again after Ash Grove records one more fall in the look-back, matching stores every matched
    service's figures as they now stand (Ash Grove above the median) and puts each change on record:
    a '~' history row by the person who ran it, with the figures as saved."""
    trigger = log_falls_trigger()
    add_incidents(falls_provider["ash"], 1, prefix="late")
    match_services(trigger, by=quality_director)
    found = rows(trigger)
    assert (found["Ash Grove"].incidents_7d, found["Ash Grove"].rate_7d) == (8, Decimal("1.142857"))
    assert found["Ash Grove"].above_median and not found["Beech Lodge"].above_median
    assert found["Dove Cottage"].rate_7d is None and found["Ash Grove"].shared_tags == [RiskTag.FALLS]
    historical = type(found["Ash Grove"].history.first())
    tracked = [field.attname for field in historical.tracked_fields]
    for match in found.values():
        latest, first = match.history.order_by("-history_id")[:2]
        assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
            "~",
            quality_director,
            "Matched by the risk-profile rule",
        )
        assert first.history_type == "+"
        assert [getattr(latest, name) for name in tracked] == [getattr(match, name) for name in tracked]
    assert not historical.objects.filter(id=found["Ash Grove"].pk, history_type="+", incidents_7d=8).exists()


def test_a_matched_services_history_reads_its_figures_in_words(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    """Found by a tester: the History said "Rate 7d: 0.033907 → 0.056664" and "Above median: no → yes"."""
    trigger = log_falls_trigger()
    add_incidents(falls_provider["ash"], 3, prefix="more")  # Ash Grove 10 / 700 h
    match_services(trigger, by=quality_director)
    ash = trigger.matches.get(service=falls_provider["ash"])
    sign_in(quality_director)
    page = client.get(reverse("learning_transfer:match_detail", args=[ash.pk])).text
    assert "Incident rate per 100 care hours: 1.000 → 1.429" in page
    assert "Incidents in the matching window: 7 → 10" in page
    assert "Above the provider median: no → yes" in page
    assert "Rate 7d" not in page and "Above median" not in page
