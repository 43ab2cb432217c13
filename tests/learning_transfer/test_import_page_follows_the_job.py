"""The import page follows the job as it runs and ends where the job ends: each phase is named as it
happens, the finished state brings its "What next" links with it, an unchanged file says nothing
changed, and every link offered opens for the person who imported (tester 2, findings 5, 6 and 18)."""

import re

import pytest
from django.urls import resolve, reverse

from learning_transfer.choices import ImportKind, ImportStatus
from learning_transfer.models import ImportJob
from providers.choices import Role
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def performance_analyst(provider):
    return person_with_role(Role.PERFORMANCE_ANALYST, provider=provider, username="analyst")


def a_job(provider, by, status, **fields) -> ImportJob:
    """An incident import of big.csv in the given state, written the short way."""
    fields.setdefault("dispatched_at", "2026-11-23T09:00:00Z")
    return ImportJob.objects.create(
        provider=provider,
        kind=fields.pop("kind", ImportKind.INCIDENTS),
        original_name="big.csv",
        status=status,
        created_by=by,
        **fields,
    )


def progress(client, job) -> str:
    """The progress fragment as the page's two-second poll fetches it."""
    response = client.get(reverse("learning_transfer:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", "", response.text).split())


# Finding 5: the phases as they happen -------------------------------------------------------------------


def test_a_job_sent_to_the_worker_but_not_started_is_waiting_and_not_checking(
    client, sign_in, quality_director, provider
):
    sign_in(quality_director)
    text = progress(client, a_job(provider, quality_director, ImportStatus.QUEUED))
    assert "Waiting to start" in text
    assert "checking" not in text.lower()


def test_a_job_checking_its_rows_says_so_with_the_rows_in_the_file(
    client, sign_in, quality_director, provider
):
    sign_in(quality_director)
    text = progress(client, a_job(provider, quality_director, ImportStatus.CHECKING, total_rows=63927))
    assert "Checking rows: 63,927 rows in big.csv" in text
    assert "Waiting to start" not in text and "saved (" not in text


def test_a_job_saving_its_rows_shows_how_many_are_saved(client, sign_in, quality_director, provider):
    sign_in(quality_director)
    job = a_job(provider, quality_director, ImportStatus.SAVING, total_rows=63927, processed_rows=20000)
    text = progress(client, job)
    assert "Saving: 20,000 of 63,927 rows (31%)" in text
    assert "checking" not in text.lower()


def test_a_job_saving_where_no_count_can_be_shown_yet_does_not_say_0_of(
    client, sign_in, quality_director, provider
):
    """On SQLite the rows saved are seen only at the commit: the page says it saves them all."""
    sign_in(quality_director)
    text = progress(client, a_job(provider, quality_director, ImportStatus.SAVING, total_rows=63927))
    assert "Saving: all 63,927 rows, checked and found good" in text
    assert "0 of" not in text


@pytest.mark.parametrize("name", ["import_detail", "import_progress"])
def test_the_import_pages_do_not_queue_behind_the_import_they_show(name):
    """Every request runs in a transaction (ATOMIC_REQUESTS), and on SQLite a transaction takes the
    write lock as it starts (IMMEDIATE): a poll then waited for the import's own transaction to end,
    and the page said "Waiting to start" until the job was done. These pages only read."""
    view = resolve(reverse(f"learning_transfer:{name}", args=[1])).func
    assert "default" in getattr(view, "_non_atomic_requests", set())


# Finding 6: the finished state brings its links ---------------------------------------------------------


def test_the_fragment_of_a_finished_job_brings_the_what_next_links(
    client, sign_in, quality_director, provider
):
    sign_in(quality_director)
    job = a_job(provider, quality_director, ImportStatus.SUCCEEDED, total_rows=63927, created_count=63927)
    response = client.get(reverse("learning_transfer:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "What next" in response.text
    assert f"{reverse('learning_transfer:incident_list')}?import_job={job.pk}" in response.text
    assert reverse("learning_transfer:review_candidates") in response.text
    assert "hx-trigger" not in response.text  # finished: the polling stops


# Finding 18: an unchanged file, and links the importer may open ----------------------------------------


def test_an_import_that_changed_nothing_says_so(client, sign_in, quality_director, provider):
    sign_in(quality_director)
    job = a_job(provider, quality_director, ImportStatus.SUCCEEDED, total_rows=3, unchanged_count=3)
    text = progress(client, job)
    assert "Nothing changed: all 3 rows were already up to date." in text
    assert "Imported" not in text


def test_one_unchanged_row_reads_as_one(client, sign_in, quality_director, provider):
    sign_in(quality_director)
    job = a_job(provider, quality_director, ImportStatus.SUCCEEDED, total_rows=1, unchanged_count=1)
    assert "Nothing changed: the 1 row was already up to date." in progress(client, job)


def what_next_links(client, job) -> list[str]:
    page = client.get(reverse("learning_transfer:import_detail", args=[job.pk])).text
    section = page.split("What next", 1)[1]
    return re.findall(r'href="([^"]+)"', section.split("</ul>", 1)[0])


@pytest.mark.parametrize("who", ["quality_director", "performance_analyst"])
def test_every_link_offered_after_an_import_opens_for_the_importer(client, sign_in, provider, who, request):
    person = request.getfixturevalue(who)
    sign_in(person)
    job = a_job(provider, person, ImportStatus.SUCCEEDED, total_rows=3, created_count=3)
    links = what_next_links(client, job)
    assert reverse("learning_transfer:import") in links
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_an_analyst_who_may_open_no_incident_list_is_told_whom_to_ask(
    client, sign_in, provider, performance_analyst
):
    sign_in(performance_analyst)
    job = a_job(provider, performance_analyst, ImportStatus.SUCCEEDED, total_rows=3, created_count=3)
    page = client.get(reverse("learning_transfer:import_detail", args=[job.pk])).text
    assert "Ask the quality team to review the incidents this file added." in page
    assert reverse("learning_transfer:incident_list") not in page


def test_a_quality_director_is_not_told_to_ask_anyone(client, sign_in, provider, quality_director):
    sign_in(quality_director)
    job = a_job(provider, quality_director, ImportStatus.SUCCEEDED, total_rows=3, created_count=3)
    page = client.get(reverse("learning_transfer:import_detail", args=[job.pk])).text
    assert "Ask the quality team" not in page
