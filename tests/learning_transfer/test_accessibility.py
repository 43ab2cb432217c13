"""Every chain A page passes the structural accessibility check: one h1, labelled fields, table headers."""

import pytest
from django.urls import reverse

from learning_transfer.models import ImportJob
from learning_transfer.services import correct_incident, issue_notices
from tests.accessibility import assert_accessible

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(log_falls_trigger, managers, quality_director):
    trigger = log_falls_trigger()
    [notice, *_] = issue_notices(trigger, by=quality_director)
    job = ImportJob.objects.create(
        provider=trigger.provider,
        kind="incidents",
        original_name="x.csv",
        file="x.csv",
        status="rejected",
        errors=[{"line": 2, "message": "Unknown service 'X'."}],
        error_count=1,
        created_by=quality_director,
    )
    match = notice.matched_service
    incident = trigger.source_service.incidents.order_by("pk").first()
    correct_incident(incident, by=quality_director, changes={"people_affected": 2}, reason="Two residents.")
    return [
        reverse("learning_transfer:trigger_list"),
        reverse("learning_transfer:trigger_add"),
        reverse("learning_transfer:trigger_detail", args=[trigger.pk]),
        reverse("learning_transfer:trigger_learning", args=[trigger.pk]),
        reverse("learning_transfer:match_adjust", args=[trigger.pk]),
        reverse("learning_transfer:match_detail", args=[match.pk]),
        reverse("learning_transfer:match_lead", args=[match.pk]),
        reverse("learning_transfer:match_exposure", args=[match.pk]),
        reverse("learning_transfer:line_add", args=[match.pk]),
        reverse("learning_transfer:notice_owner", args=[notice.pk]),
        reverse("learning_transfer:notice_list"),
        reverse("learning_transfer:review_candidates"),
        reverse("learning_transfer:incident_add"),
        reverse("learning_transfer:incident_correct", args=[incident.pk]),
        reverse("learning_transfer:incident_review", args=[incident.pk]),
        reverse("learning_transfer:import"),
        reverse("learning_transfer:import_detail", args=[job.pk]),
        reverse("learning_transfer:summary"),
        reverse("dashboard", args=["quality_director"]),
    ]


def test_every_page_is_structurally_accessible(client, sign_in, pages, quality_director, provider):
    from providers.choices import Role
    from tests.factories import give_role

    for role in (Role.NOMINATED_INDIVIDUAL, Role.OPERATIONS_DIRECTOR, Role.GOVERNANCE_OFFICER):
        give_role(quality_director, role, provider=provider)  # one person who can open every page
    sign_in(quality_director)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        try:
            assert_accessible(response.text)
        except AssertionError as error:
            raise AssertionError(f"{url}: {error}") from error
