"""Importing incident and care-hours files exported by e-care systems: every bad row is reported by
line number, nothing is imported from a file with errors, and importing twice creates no duplicates."""

import io
from decimal import Decimal

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from learning_transfer import import_columns, imports
from learning_transfer.choices import ImportKind, ImportStatus
from learning_transfer.models import CareHours, Incident
from learning_transfer.services import import_care_hours, import_incidents

from .conftest import save_in_chunks_of

pytestmark = pytest.mark.django_db

HEADER = (
    "source_reference,service,occurred_at,theme,harm_level,safeguarding_concern,people_affected,description"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(text: str, name="incidents.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def good_file(elm, birch):
    return upload(
        f"{HEADER}\n"
        f"INC-1,{elm.cqc_location_id},2026-11-02 14:30,fall,low,no,1,Found on the floor\n"
        f"INC-2,Birch Lodge,02/11/2026 22:05,Medication error,none,yes,2,Missed dose\n"
        f"INC-3,{elm.name.upper()},2026-11-03 08:00,medication,,,,\n"
    )


def messages(job):
    return [(e["line"], e["message"]) for e in job.errors]


def test_a_good_file_imports_every_row(quality_director, provider, elm_house, birch_lodge):
    job = import_incidents(good_file(elm_house, birch_lodge), provider, quality_director)
    assert job.status == ImportStatus.SUCCEEDED
    assert (job.total_rows, job.created_count, job.updated_count) == (3, 3, 0)
    second = Incident.objects.get(source_reference="INC-2")
    assert second.service == birch_lodge and second.theme == "medication"
    assert second.safeguarding_concern and second.people_affected == 2
    assert second.occurred_at.isoformat() == "2026-11-02T22:05:00+00:00"  # 22:05 GMT in November
    assert second.history.first().history_user == quality_director


def test_the_same_file_twice_creates_no_duplicates(quality_director, provider, elm_house, birch_lodge):
    import_incidents(good_file(elm_house, birch_lodge), provider, quality_director)
    again = import_incidents(good_file(elm_house, birch_lodge), provider, quality_director)
    assert Incident.objects.count() == 3
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)


def test_a_corrected_row_updates_the_incident_with_the_same_reference(quality_director, provider, elm_house):
    import_incidents(
        upload(f"{HEADER}\nINC-1,Elm House,2026-11-02 14:30,fall,low,no,1,x\n"), provider, quality_director
    )
    job = import_incidents(
        upload(f"{HEADER}\nINC-1,Elm House,2026-11-02 14:30,fall,severe,no,1,x\n"), provider, quality_director
    )
    assert job.updated_count == 1
    assert Incident.objects.get().harm_level == "severe"


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(
    quality_director, provider, elm_house, other_provider_service
):
    text = (
        f"{HEADER}\n"
        "INC-1,Elm House,2026-11-02 14:30,fall,low,no,1,fine\n"  # line 2 is good
        "INC-2,Elm House,31/02/2026 10:00,fall,low,no,1,bad date\n"  # line 3
        "INC-3,Nowhere House,2026-11-02 10:00,fall,low,no,1,unknown service\n"  # line 4
        f"INC-4,{other_provider_service.name},2026-11-02 10:00,fall,low,no,1,another provider\n"  # line 5
        "INC-5,Elm House,2026-11-02 10:00,fall,low,no,-2,negative count\n"  # line 6
        "INC-1,Elm House,2026-11-04 09:00,fall,low,no,1,duplicate\n"  # line 7
    )
    job = import_incidents(upload(text), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert messages(job) == [
        (
            3,
            "occurred_at '31/02/2026 10:00' is not a date and time like "
            + imports.DATE_TIME_EXAMPLE
            + ". There is no 31 February 2026.",
        ),
        (4, "Unknown service 'Nowhere House': use the CQC location ID or name of one of your services."),
        (5, "Unknown service 'Faraway Manor': use the CQC location ID or name of one of your services."),
        (6, "people_affected cannot be negative (got -2)."),
        (7, "Duplicate row: the same service and source_reference as line 2."),
    ]
    assert Incident.objects.count() == 0


def test_a_missing_column_is_reported_against_the_header(quality_director, provider, elm_house):
    job = import_incidents(
        upload("source_reference,service,theme\nINC-1,Elm House,fall\n"), provider, quality_director
    )
    assert messages(job) == [(1, "Missing column: occurred_at.")]
    assert Incident.objects.count() == 0


def test_unknown_themes_and_yes_no_values_are_explained(quality_director, provider, elm_house):
    job = import_incidents(
        upload(f"{HEADER}\nINC-1,Elm House,2026-11-02 14:30,slip,low,maybe,1.5,x\n"),
        provider,
        quality_director,
    )
    text = " ".join(message for _, message in messages(job))
    assert "Unknown theme 'slip'" in text
    assert "safeguarding_concern 'maybe' must be yes or no." in text
    assert "people_affected '1.5' is not a whole number." in text


def test_an_excel_file_imports_like_a_csv(quality_director, provider, elm_house):
    buffer = io.BytesIO()
    pd.DataFrame(
        [
            {
                "source_reference": "XL-1",
                "service": "Elm House",
                "occurred_at": pd.Timestamp("2026-11-02 14:30"),  # a real Excel date cell
                "theme": "Fall",
                "people_affected": 3,
            }
        ]
    ).to_excel(buffer, index=False)
    job = import_incidents(SimpleUploadedFile("export.xlsx", buffer.getvalue()), provider, quality_director)
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    incident = Incident.objects.get()
    assert incident.people_affected == 3 and incident.theme == "fall"


def test_a_file_that_is_not_a_table_is_rejected(quality_director, provider):
    job = import_incidents(SimpleUploadedFile("notes.txt", b"hello"), provider, quality_director)
    assert job.status == ImportStatus.REJECTED
    assert messages(job) == [(1, imports.WRONG_FILE_TYPE)]


def test_care_hours_import_and_reimport(quality_director, provider, elm_house):
    text = "service,day,hours\nElm House,2026-11-02,742.5\nElm House,03/11/2026,0\n"
    job = import_care_hours(upload(text, "hours.csv"), provider, quality_director)
    assert job.status == ImportStatus.SUCCEEDED and job.created_count == 2
    again = import_care_hours(upload(text.replace("742.5", "750"), "hours.csv"), provider, quality_director)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 1, 1)
    assert CareHours.objects.get(day="2026-11-02").hours == Decimal("750.00")


def test_care_hours_errors_name_the_line(quality_director, provider, elm_house):
    text = "service,day,hours\nElm House,2026-11-02,-5\nElm House,2026-11-02,4\nElm House,2026-13-01,4\n"
    job = import_care_hours(upload(text, "hours.csv"), provider, quality_director)
    assert messages(job) == [
        (2, "hours cannot be negative (got -5)."),
        (3, "Duplicate row: the same service and day as line 2."),
        (4, "day '2026-13-01' is not a date like 2026-11-02 or 02/11/2026."),
    ]
    assert CareHours.objects.count() == 0


def test_only_provider_staff_with_an_import_role_can_import(registered_manager, provider, elm_house):
    with pytest.raises(PermissionDenied):
        import_incidents(upload(f"{HEADER}\n"), provider, registered_manager)


def test_a_large_file_runs_as_a_background_task_with_progress(
    quality_director, provider, elm_house, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from learning_transfer import services, tasks

    settings.LEARNING_IMPORT_INLINE_MAX_BYTES = 100  # anything bigger goes to the worker
    save_in_chunks_of(monkeypatch, 40)
    queued = []
    monkeypatch.setattr(tasks.run_import, "apply_async", lambda args, **options: queued.extend(args))
    lines = [f"BIG-{n},Elm House,2026-11-02 10:{n % 60:02d},fall,,,1,x" for n in range(100)]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_import(
            upload(HEADER + "\n" + "\n".join(lines)),
            provider=provider,
            kind=ImportKind.INCIDENTS,
            by=quality_director,
        )
    assert job.status == ImportStatus.QUEUED and queued == [job.pk]
    published = []
    original = services.incidents._SavingProgress.__call__
    monkeypatch.setattr(
        services.incidents._SavingProgress,
        "__call__",
        lambda self, written: published.append(written) or original(self, written),
    )
    tasks.run_import(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED and job.created_count == 100
    assert published == [40, 80, 100]  # after each chunk, all within the file's one transaction
    assert job.percent_done == 100


def test_the_committed_templates_match_the_documented_columns():
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    for kind, name in [(ImportKind.INCIDENTS, "incident"), (ImportKind.CARE_HOURS, "care_hours")]:
        assert (fixtures / f"{name}_template.csv").read_text() == import_columns.template_csv(kind)


def test_an_unreachable_broker_leaves_the_job_waiting_to_start(
    quality_director, provider, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from learning_transfer import services, tasks

    settings.LEARNING_IMPORT_INLINE_MAX_BYTES = 10

    def broker_down(args, **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_import, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_import(
            upload(f"{HEADER}\n"), provider=provider, kind=ImportKind.INCIDENTS, by=quality_director
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.waiting_for_broker  # the sweeper sends it later


def test_care_hours_are_read_only_in_the_admin(client, sign_in, elm_house):
    """Care hours come only from imports, whose ImportJob is their audit record: no hand edits."""
    from django.urls import reverse

    from tests.factories import UserFactory

    row = CareHours.objects.create(service=elm_house, day="2026-11-02", hours=Decimal("742.50"))
    sign_in(UserFactory(is_staff=True, is_superuser=True))
    change_url = reverse("admin:learning_transfer_carehours_change", args=[row.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.text  # shown, but nothing to save
    form = {"service": elm_house.pk, "day": "2026-11-02", "hours": "1.00", "_save": "Save"}
    assert client.post(change_url, form).status_code == 403
    assert client.post(reverse("admin:learning_transfer_carehours_add"), form).status_code == 403
    assert (
        client.post(
            reverse("admin:learning_transfer_carehours_delete", args=[row.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    row.refresh_from_db()
    assert row.hours == Decimal("742.50") and CareHours.objects.count() == 1


@pytest.mark.parametrize("kind", [ImportKind.INCIDENTS, ImportKind.CARE_HOURS])
def test_the_template_downloaded_from_the_import_page_is_refused_as_the_example_it_is(
    client, sign_in, quality_director, elm_house, birch_lodge, kind, django_capture_on_commit_callbacks
):
    """The template shows a file's shape; its example row is refused, so it never changes real data
    (tests/learning_transfer/test_import_template_is_only_an_example.py has the rule in full)."""
    from django.urls import reverse

    sign_in(quality_director)
    template = client.get(reverse("learning_transfer:import_template", args=[kind, "csv"])).content
    assert birch_lodge.cqc_location_id.encode() not in template, "the example names none of their services"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning_transfer:import"),
            {"kind": kind, "file": upload(template.decode(), name=f"{kind}_template.csv")},
            follow=True,
        )
    assert "Line 2 is the example row from the template: delete it and add your own rows." in response.text
    assert not (Incident if kind == ImportKind.INCIDENTS else CareHours).objects.exists()


def test_a_service_name_a_spreadsheet_would_run_is_found_as_a_download_writes_it(
    quality_director, provider, birch_lodge
):
    """Service names are typed by staff: downloads write them as text a spreadsheet never runs
    ("'-1"), and a row copied from one still finds its service."""
    birch_lodge.name = '=HYPERLINK("http://example.com","Birch Lodge")'
    birch_lodge.cqc_location_id = "-1"
    birch_lodge.save()
    job = import_incidents(
        upload(f"{HEADER}\nINC-1,'-1,2026-11-02 14:30,fall,low,no,1,Found on the floor\n"),
        provider,
        quality_director,
    )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert Incident.objects.get().service == birch_lodge
