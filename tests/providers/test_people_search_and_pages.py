"""People and roles is searchable and shows a page of people at a time: a large provider's whole list
would make a page thousands of pixels tall on a phone."""

import pytest
from django.urls import reverse

from providers.administration import PEOPLE_PER_PAGE
from providers.choices import Role
from tests.factories import CommissionerFactory, UserFactory, give_role, person_with_role

pytestmark = pytest.mark.django_db

PEOPLE = reverse("people")


@pytest.fixture
def administrator(provider):
    return person_with_role(
        Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin", first_name="Ada", last_name="Admin"
    )


@pytest.fixture
def priya(elm_house):
    return person_with_role(
        Role.CLINICAL_LEAD,
        service=elm_house,
        username="priya",
        first_name="Priya",
        last_name="Shah",
        email="priya.shah@oakwood.example",
    )


@pytest.fixture
def tom(cedar_court):
    return person_with_role(
        Role.REGISTERED_MANAGER, service=cedar_court, username="tom", first_name="Tom", last_name="Hart"
    )


def many_people(service, how_many: int) -> None:
    """`how_many` carers named Zara Carer 00, 01, … (after everyone else in the list's order)."""
    for number in range(how_many):
        person = UserFactory(username=f"carer{number:02}", first_name=f"Zara {number:02}", last_name="Zz")
        give_role(person, Role.SENIOR_CARER_LATE, service=service)


def search(client, words: str, **more) -> str:
    return client.get(PEOPLE, {"q": words, **more}).text


def listed(page: str) -> str:
    """The list of people alone (the form under it offers everyone)."""
    return page.split('id="people"')[1].split("Give someone a role")[0]


def test_the_page_has_a_labelled_search_box_that_sends_a_get_form(client, sign_in, administrator):
    sign_in(administrator)
    page = client.get(PEOPLE).text
    form = page.split('role="search"')[1].split("</form>")[0]
    assert 'method="get"' in page.split('role="search"')[0].rsplit("<form", 1)[1]
    assert '<label class="nhsuk-label" for="id_q">' in form
    assert "Search people" in form
    assert 'type="submit">Search</button>' in form


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("priya", "Priya Shah"),
        ("PRIYA SHAH", "Priya Shah"),
        ("priya.shah@oakwood", "Priya Shah"),
        ("clinical lead", "Priya Shah"),
        ("Elm House", "Priya Shah"),
        ("Cedar", "Tom Hart"),
        ("registered manager", "Tom Hart"),
    ],
)
def test_a_search_finds_people_by_name_email_role_or_service(
    client, sign_in, administrator, priya, tom, words, found
):
    sign_in(administrator)
    page = search(client, words)
    assert found in listed(page)
    missing = {"Priya Shah", "Tom Hart"} - {found}
    assert not any(name in listed(page) for name in missing)
    assert f"People matching “{words}”" in page


def test_a_search_with_no_match_says_so_in_words(client, sign_in, administrator, priya):
    sign_in(administrator)
    page = search(client, "nobody-by-this-name")
    assert "No one here matches “nobody-by-this-name”." in page
    assert "Priya Shah" not in listed(page)
    assert "Show everyone" in page


def test_the_people_come_a_page_at_a_time_with_nhs_pagination(client, sign_in, administrator, elm_house):
    many_people(elm_house, 30)
    sign_in(administrator)
    first = client.get(PEOPLE).text
    assert "31 people, showing 1 to 25." in first
    assert "Zara 23 Zz" in listed(first) and "Zara 24 Zz" not in listed(first)
    assert 'class="nhsuk-pagination"' in first
    assert "Page 2 of 2" in first
    second = client.get(PEOPLE, {"page": 2}).text
    assert "Zara 24 Zz" in second and "Zara 29 Zz" in second
    assert "Ada Admin" not in listed(second)


def test_the_search_is_kept_across_pages(client, sign_in, administrator, provider, elm_house, priya):
    many_people(elm_house, PEOPLE_PER_PAGE + 3)
    sign_in(administrator)
    first = search(client, "senior carer")
    assert f"{PEOPLE_PER_PAGE + 3} people, showing 1 to {PEOPLE_PER_PAGE}." in first
    next_link = first.split("nhsuk-pagination__link--next")[1].split('href="')[1].split('"')[0]
    assert "q=senior+carer" in next_link and "page=2" in next_link
    second = client.get(PEOPLE + next_link.replace("&amp;", "&")).text
    assert "Zara 27 Zz" in second
    assert "Priya Shah" not in listed(second) and "Ada Admin" not in listed(second)


def test_commissioners_stay_apart_and_are_not_paged_with_the_staff(
    client, sign_in, administrator, provider, elm_house
):
    many_people(elm_house, PEOPLE_PER_PAGE + 1)
    council = CommissionerFactory(name="Shire County Council")
    person_with_role(
        Role.COMMISSIONER, provider=provider, commissioner=council, first_name="Cass", last_name="Aaron"
    )
    sign_in(administrator)
    page = client.get(PEOPLE).text
    people, commissioners = page.split('id="commissioners"')
    assert "Cass Aaron" not in people
    assert "Cass Aaron: Shire County Council" in commissioners
    assert f"{PEOPLE_PER_PAGE + 2} people" in people  # the administrator and the carers, not Cass


@pytest.mark.parametrize("how_many", [5, 60])
def test_the_page_reads_the_same_queries_however_many_people(
    client, sign_in, administrator, elm_house, how_many, django_assert_max_num_queries
):
    many_people(elm_house, how_many)
    sign_in(administrator)
    client.get(PEOPLE)  # the first page of a session reads what every later page keeps
    with django_assert_max_num_queries(20):
        page = client.get(PEOPLE).text
    assert "Zara 00 Zz" in page
    with django_assert_max_num_queries(20):
        assert "Zara 04 Zz" in search(client, "carer")
