"""Failed passwords lock a username: after a few from one address, or after more from many addresses.
The address is the connection's unless a reverse proxy we trust names the client."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.client_ip import client_ip

pytestmark = pytest.mark.django_db

LOCKED = "Your account is locked for now"


def attempt(client, address, password="wrong-password", **headers):
    return client.post(
        reverse("login"), {"username": "elm-manager", "password": password}, REMOTE_ADDR=address, **headers
    )


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_USERNAME_FAILURE_LIMIT = 5
    return settings


def test_a_username_is_locked_at_one_address_after_a_few_failures(client, limits, registered_manager):
    for _ in range(3):
        attempt(client, "192.0.2.10")
    assert LOCKED in attempt(client, "192.0.2.10", password="correct-horse-battery").text
    # The same person at another address (a colleague's PC at the home) is not locked out yet.
    assert attempt(client, "192.0.2.20", password="correct-horse-battery").status_code == 302


def test_a_username_is_locked_everywhere_after_failures_spread_over_addresses(
    client, limits, registered_manager
):
    for address in ["192.0.2.10", "192.0.2.10", "198.51.100.7", "198.51.100.7"]:
        assert LOCKED not in attempt(client, address).text
    assert LOCKED in attempt(client, "203.0.113.99").text, "the fifth failure, from a third address"
    assert LOCKED in attempt(client, "203.0.113.200", password="correct-horse-battery").text


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, limits, registered_manager):
    limits.AXES_USERNAME_FAILURE_LIMIT = 100
    for n in range(3):
        # A guesser posing as a new address each time is still one address: the connection's.
        attempt(client, "192.0.2.10", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert LOCKED in attempt(client, "192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.50").text


def test_behind_a_trusted_proxy_its_x_forwarded_for_names_the_client(client, limits, registered_manager):
    limits.AXES_USERNAME_FAILURE_LIMIT = 100
    limits.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for _ in range(3):
        attempt(client, proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert LOCKED in attempt(client, proxy, HTTP_X_FORWARDED_FOR="203.0.113.5").text
    # Another person behind the same proxy is a different address, so not locked out.
    response = attempt(client, proxy, password="correct-horse-battery", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client wrote 6.6.6.6 itself
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.1"),  # fewer entries than proxies: only the connection is known
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address(settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected
