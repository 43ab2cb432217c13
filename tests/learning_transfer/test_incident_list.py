"""After an import, the person sees exactly the incidents its file added or changed: the import's page
links to the incident list filtered by that import. The list shows the people who read the review list
the incidents of their own provider only, a page at a time, with the same queries for 5 rows as for 60."""

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning_transfer import permissions
from learning_transfer.services import import_incidents, record_incident
from learning_transfer.services.rollup import after_data_saved
from learning_transfer.views.incidents import IncidentListView
from providers.choices import Role
from tests.concurrency import postgresql_only
from tests.factories import person_with_role
from tests.page_structure import text_inside_main

from .conftest import LONDON

pytestmark = pytest.mark.django_db

HEADER = "source_reference,service,occurred_at,theme,harm_level"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(rows: list[str], name: str = "november.csv"):
    return SimpleUploadedFile(name, "\n".join([HEADER, *rows]).encode(), content_type="text/csv")


def entered_by_hand(person, service) -> None:
    """One incident entered by hand (reference BY-HAND) on 5 November 2026."""
    record_incident(
        by=person,
        service=service,
        source_reference="BY-HAND",
        occurred_at=datetime(2026, 11, 5, 10, tzinfo=LONDON),
        theme="fall",
    )


def listed(client, url: str) -> list[str]:
    """The source references the page lists, in order."""
    response = client.get(url)
    assert response.status_code == 200
    return [incident.source_reference for incident in response.context["incidents"]]


def test_the_import_page_links_to_exactly_the_incidents_its_file_added_or_changed(
    client, sign_in, provider, elm_house, birch_lodge, quality_director
):
    october = import_incidents(
        upload(
            ["OLD-1,Elm House,2026-10-01 10:00,fall,none", "OLD-2,Elm House,2026-10-02 10:00,fall,none"],
            name="october.csv",
        ),
        provider,
        quality_director,
    )
    entered_by_hand(quality_director, elm_house)
    november = import_incidents(
        upload(
            [
                "OLD-1,Elm House,2026-10-01 10:00,fall,none",  # unchanged: still October's
                "OLD-2,Elm House,2026-10-02 10:00,fall,severe",  # changed by November's file
                "NEW-1,Birch Lodge,2026-11-03 09:00,fall,none",
            ]
        ),
        provider,
        quality_director,
    )
    sign_in(quality_director)

    page = client.get(f"/learning/import/{november.pk}/").text
    assert "See the 2 incidents this file added or changed" in page
    url = f"/learning/incidents/?import_job={november.pk}"
    assert url in page
    assert listed(client, url) == ["NEW-1", "OLD-2"]
    assert "2 incidents added or last changed by november.csv" in client.get(url).text
    assert listed(client, f"/learning/incidents/?import_job={october.pk}") == ["OLD-1"]
    assert listed(client, f"/learning/incidents/?service={birch_lodge.pk}") == ["NEW-1"]
    everything = client.get("/learning/incidents/").text
    assert listed(client, "/learning/incidents/") == ["BY-HAND", "NEW-1", "OLD-2", "OLD-1"]
    assert "Entered by hand" in everything
    # Each row says where it came from: the file that last added or changed it, or by hand.
    said = text_inside_main(everything)
    assert said.count("Came from november.csv imported ") == 2  # NEW-1 and OLD-2
    assert said.count("Came from october.csv imported ") == 1  # OLD-1, unchanged since
    assert said.count("Came from Entered by hand") == 1


def test_a_file_that_changed_nothing_offers_no_empty_list(
    client, sign_in, provider, elm_house, quality_director
):
    rows = ["A-1,Elm House,2026-10-01 10:00,fall,none"]
    import_incidents(upload(rows), provider, quality_director)
    again = import_incidents(upload(rows), provider, quality_director)
    sign_in(quality_director)
    page = client.get(f"/learning/import/{again.pk}/").text
    assert "this file added or changed" not in page
    assert "Incidents now flagged for a formal review" in page


def test_the_list_shows_a_reviewer_their_own_providers_incidents_only(
    client, sign_in, provider, elm_house, other_provider_service, quality_director
):
    import_incidents(upload(["MINE,Elm House,2026-10-01 10:00,fall,none"]), provider, quality_director)
    elsewhere = person_with_role(Role.QUALITY_DIRECTOR, provider=other_provider_service.provider)
    theirs = import_incidents(
        upload([f"THEIRS,{other_provider_service.name},2026-10-01 10:00,fall,none"]),
        other_provider_service.provider,
        elsewhere,
    )
    governance = person_with_role(Role.GOVERNANCE_OFFICER, provider=provider)
    sign_in(governance)
    assert listed(client, "/learning/incidents/") == ["MINE"]
    # Another provider's import is not a choice: the filter is refused and shows nothing of theirs.
    response = client.get(f"/learning/incidents/?import_job={theirs.pk}")
    assert "THEIRS" not in response.text and response.context["filter_form"].errors


def test_people_who_do_not_read_the_review_list_are_refused(client, sign_in, elm_house):
    sign_in(person_with_role(Role.REGISTERED_MANAGER, service=elm_house))
    assert client.get("/learning/incidents/").status_code == 403


def test_the_list_makes_the_same_queries_for_a_page_of_5_as_of_60(
    client, sign_in, provider, elm_house, birch_lodge, quality_director
):
    sign_in(quality_director)
    counts = []
    for size, name in ((5, "small.csv"), (60, "large.csv")):
        rows = [
            f"{name}-{n},{'Elm House' if n % 2 else 'Birch Lodge'},2026-10-01 10:{n % 60:02d},fall,none"
            for n in range(size)
        ]
        job = import_incidents(upload(rows, name), provider, quality_director)
        with CaptureQueriesContext(connection) as captured:
            assert len(listed(client, f"/learning/incidents/?import_job={job.pk}")) == min(size, 50)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_deleting_an_import_keeps_its_incidents_and_their_history_and_clears_the_pointer(
    provider, elm_house, quality_director
):
    """The import and the history row's user are audit pointers the database does not check row by
    row: deleting an import must still leave no incident pointing at it, and lose nothing else."""
    job = import_incidents(
        upload(["KEEP-1,Elm House,2026-10-01 10:00,fall,none"]), provider, quality_director
    )
    incident = elm_house.incidents.get(source_reference="KEEP-1")
    assert incident.import_job == job
    job.delete()
    incident.refresh_from_db()
    assert incident.import_job is None
    assert incident.history.filter(history_user=quality_director).exists()


def caption(client, url: str) -> str:
    return text_inside_main(client.get(url).text).split("Incident Service When")[0]


def test_the_number_of_incidents_is_read_from_the_daily_roll_up_and_is_exact(
    client, sign_in, provider, elm_house, birch_lodge, quality_director
):
    """A large provider's list counts its incidents from the daily roll-up (one row a service a day),
    never the incidents themselves; the number is the same, and the pages hold every incident."""
    rows = [
        f"R-{n:02d},{'Elm House' if n % 3 else 'Birch Lodge'},2026-10-{1 + n % 28:02d} 10:{n:02d},fall,none"
        for n in range(57)
    ]
    job = import_incidents(upload(rows), provider, quality_director)
    entered_by_hand(quality_director, elm_house)
    sign_in(quality_director)
    with CaptureQueriesContext(connection) as captured:
        assert "58 incidents" in caption(client, "/learning/incidents/")
    assert not [q for q in captured if "COUNT(" in q["sql"] and "learning_transfer_incident" in q["sql"]]
    everything = listed(client, "/learning/incidents/") + listed(client, "/learning/incidents/?page=2")
    # The next page keeps the filters chosen.
    assert 'href="?up_to=2026-12-01&amp;page=2"' in client.get("/learning/incidents/?up_to=2026-12-01").text
    assert sorted(everything) == sorted([f"R-{n:02d}" for n in range(57)] + ["BY-HAND"])
    at_birch = elm_house.provider.services.get(pk=birch_lodge.pk).incidents.count()
    assert f"{at_birch} incidents" in caption(client, f"/learning/incidents/?service={birch_lodge.pk}")
    from_the_file = caption(client, f"/learning/incidents/?import_job={job.pk}")
    assert "57 incidents added or last changed" in from_the_file
    # The roll-up follows a change: an incident deleted (as the admin deletes one) is no longer counted.
    elm_house.incidents.get(source_reference="BY-HAND").delete()
    after_data_saved([elm_house.pk])
    assert "57 incidents" in caption(client, "/learning/incidents/")


@postgresql_only
def test_the_newest_incidents_are_read_from_an_index_in_that_order(quality_director):
    """Without an index in the list's order, PostgreSQL sorted every incident of the provider to show
    the newest 50 (0.4 s at 2 million). With sorting made prohibitively dear, the plan for the list's
    query must read that index rather than sort."""
    rows = permissions.reviewable_incidents(quality_director).order_by("-occurred_at", "-pk")[:50]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = rows.explain()
    assert "incident_newest_first" in plan and "Sort" not in plan


def test_the_list_goes_back_from_a_london_day_with_its_count(
    client, sign_in, provider, elm_house, birch_lodge, quality_director
):
    """Older incidents are reached by the day the list starts from (a large provider's millions are
    not paged through): incidents up to the end of that London day, counted as exactly."""
    rows = [
        "LATE-ON-THE-10TH,Elm House,2026-10-10 23:30,fall,none",  # 22:30 UTC: still the 10th in London
        "ON-THE-11TH,Elm House,2026-10-11 00:15,fall,none",
        "EARLIER,Birch Lodge,2026-09-02 09:00,fall,none",
        "LATER,Birch Lodge,2026-11-02 09:00,fall,none",
    ]
    job = import_incidents(upload(rows), provider, quality_director)
    sign_in(quality_director)
    url = "/learning/incidents/?up_to=2026-10-10"
    assert listed(client, url) == ["LATE-ON-THE-10TH", "EARLIER"]
    assert "2 incidents" in caption(client, url)
    assert listed(client, f"{url}&service={birch_lodge.pk}") == ["EARLIER"]
    assert "1 incident" in caption(client, f"{url}&service={birch_lodge.pk}")
    assert listed(client, f"{url}&import_job={job.pk}") == ["LATE-ON-THE-10TH", "EARLIER"]
    # A day that is not a date is refused with its field named, and the whole list still shows.
    response = client.get("/learning/incidents/?up_to=2026-13-45")
    assert "Happened on or before" in text_inside_main(response.text)
    assert response.context["filter_form"].errors["up_to"]
    assert len(listed(client, "/learning/incidents/?up_to=2026-13-45")) == 4


def test_a_page_near_the_end_is_read_from_the_end_and_shows_the_same_rows(
    client, sign_in, provider, elm_house, quality_director, monkeypatch
):
    """The database skips the rows before a page one by one: the last page of a large provider's list
    skipped 2 million. A page past the middle is read backwards from the end; it holds exactly the
    rows reading forwards gives, in the same order."""
    rows = [f"R-{n},Elm House,2026-10-{1 + n % 4:02d} 10:00,fall,none" for n in range(9)]  # times shared
    import_incidents(upload(rows), provider, quality_director)
    monkeypatch.setattr(IncidentListView, "paginate_by", 2)
    newest_first = list(
        permissions.reviewable_incidents(quality_director)
        .order_by("-occurred_at", "-pk")
        .values_list("source_reference", flat=True)
    )
    sign_in(quality_director)
    pages = [listed(client, f"/learning/incidents/?page={n}") for n in range(1, 6)]
    assert pages == [newest_first[n : n + 2] for n in range(0, 10, 2)]
    with CaptureQueriesContext(connection) as captured:
        listed(client, "/learning/incidents/?page=last")
    read = [q["sql"] for q in captured if 'FROM "learning_transfer_incident"' in q["sql"]]
    assert len(read) == 1 and "OFFSET" not in read[0] and '"occurred_at" ASC' in read[0]
