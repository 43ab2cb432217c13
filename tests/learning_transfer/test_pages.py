"""The pages a quality director uses, with clear field errors, templates and live import progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learning_transfer.models import ImportJob, Incident, LearningTrigger
from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_logging_a_trigger_through_the_form_shows_the_matches(
    client, sign_in, falls_provider, quality_director
):
    sign_in(quality_director)
    response = client.post(
        "/learning/triggers/new/",
        {
            "source_service": falls_provider["elm"].pk,
            "title": "Unwitnessed fall",
            "theme": "fall",
            "risk_tags": ["falls"],
            "match_same_service_type": "on",
            "what_happened": "Found on the floor.",
            "confirmed_at": "2026-11-18T10:00",
            "learning_statement": "Night checks follow the plan.",
            "log_late": "on",  # confirmed weeks before today: its steps start overdue
        },
        follow=True,
    )
    assert response.redirect_chain
    page = response.text
    assert "Ash Grove" in page and "No care hours recorded" in page and "Provider median rate" in page
    assert LearningTrigger.objects.get().matches.count() == 4


def test_the_trigger_form_explains_each_missing_field(client, sign_in, falls_provider, quality_director):
    sign_in(quality_director)
    page = client.post("/learning/triggers/new/", {"confirmed_at": "yesterday"}).text
    assert "There is a problem" in page
    assert "Choose at least one risk tag." in page
    assert "Enter when the serious failure was confirmed as a date and time" in page


def test_a_future_confirmation_is_refused_on_its_field(client, sign_in, falls_provider, quality_director):
    sign_in(quality_director)
    page = client.post(
        "/learning/triggers/new/",
        {
            "source_service": falls_provider["elm"].pk,
            "title": "x",
            "theme": "fall",
            "risk_tags": ["falls"],
            "what_happened": "x",
            "confirmed_at": "2099-01-01T10:00",
        },
    ).text
    assert "The failure cannot be confirmed in the future." in page


def test_the_import_page_lists_every_problem_by_line(client, sign_in, provider, elm_house, quality_director):
    sign_in(quality_director)
    upload = SimpleUploadedFile(
        "bad.csv", b"source_reference,service,occurred_at,theme\nA,Elm House,soon,fall\n"
    )
    response = client.post("/learning/import/", {"kind": "incidents", "file": upload}, follow=True)
    assert "Nothing was imported: 1 problem found" in response.text
    assert "occurred_at &#x27;soon&#x27; is not a date and time" in response.text


def test_a_running_import_polls_for_progress_with_htmx(client, sign_in, provider, quality_director):
    job = ImportJob.objects.create(
        provider=provider,
        kind="incidents",
        original_name="big.csv",
        file="big.csv",
        total_rows=100_000,
        processed_rows=25_000,
        status="saving",
        created_by=quality_director,
    )
    sign_in(quality_director)
    page = client.get(f"/learning/import/{job.pk}/").text
    assert 'hx-trigger="every 2s"' in page and "25,000 of 100,000 rows (25%)" in page
    partial = client.get(f"/learning/import/{job.pk}/progress/", HTTP_HX_REQUEST="true").text
    assert "<html" not in partial and "25,000 of 100,000" in partial


def test_the_templates_download_as_csv_and_excel(client, sign_in, quality_director):
    sign_in(quality_director)
    csv = client.get("/learning/import/template/incidents.csv")
    assert csv["Content-Type"].startswith("text/csv")
    # The byte-order mark first, so that Excel on Windows reads the file as UTF-8 (£, é).
    assert csv.content.decode("utf-8").startswith("\ufeffsource_reference,service,occurred_at,theme")
    xlsx = client.get("/learning/import/template/care_hours.xlsx")
    assert xlsx.content[:2] == b"PK"  # a zip container


def test_a_registered_manager_enters_an_incident_only_for_their_service(
    client, registered_manager, elm_house, birch_lodge
):
    client.force_login(registered_manager)
    form = client.get("/learning/incidents/new/").text
    assert "Elm House" in form and "Birch Lodge" not in form
    response = client.post(
        "/learning/incidents/new/",
        {
            "service": elm_house.pk,
            "source_reference": "HAND-1",
            "occurred_at": "2026-11-02T14:30",
            "theme": "fall",
            "harm_level": "severe",
            "people_affected": 1,
        },
    )
    assert response.status_code == 302
    assert Incident.objects.get().history.first().history_user == registered_manager
    again = client.post(
        "/learning/incidents/new/",
        {
            "service": elm_house.pk,
            "source_reference": "HAND-1",
            "occurred_at": "2026-11-02T14:30",
            "theme": "fall",
            "harm_level": "none",
            "people_affected": 1,
        },
    ).text
    assert "Elm House already has an incident with reference HAND-1." in again


@pytest.mark.parametrize(
    "role, heading",
    [
        (Role.QUALITY_DIRECTOR, "Learning transfer"),
        (Role.NOMINATED_INDIVIDUAL, "Executive learning summary"),
        (Role.GOVERNANCE_OFFICER, "Learning distribution"),
        (Role.OPERATIONS_DIRECTOR, "Learning exposure"),
    ],
)
def test_each_role_dashboard_has_its_chain_a_panel(client, sign_in, provider, elm_house, role, heading):
    sign_in(person_with_role(role, provider=provider))
    assert heading in client.get(f"/dashboard/{role}/").text


def test_the_registered_manager_dashboard_lists_notices_to_acknowledge(client, registered_manager):
    client.force_login(registered_manager)
    assert "Learning notices to acknowledge" in client.get("/dashboard/registered_manager/").text


def test_the_managers_panel_says_how_many_more_notices_wait(
    client, log_falls_trigger, managers, quality_director, monkeypatch
):
    from learning_transfer import panels
    from learning_transfer.services.notices import issue_notices

    for title in ("Fall at night", "Fall on the stairs", "Fall in the garden"):
        issue_notices(log_falls_trigger(title=title), by=quality_director)
    monkeypatch.setattr(panels, "PANEL_ROWS", 2)
    client.force_login(managers["ash"])
    page = client.get("/dashboard/registered_manager/").text
    assert page.count("Acknowledge receipt") == 2
    assert "And 1 more." in page
