"""Every signed-in request reads the person's session and the authenticator it names, by SQL written
once (accounts.sessions.SessionStore, accounts.middleware.OTPMiddleware): the same answers as Django
and django-otp give, an ended session or a device that is not the person's own still counts for
nothing, and no query is built for them after the first page."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends import db as django_sessions
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.sessions import SessionStore
from accounts.testing import signed_in
from tests.factories import UserFactory
from tests.per_request import queries_compiled

pytestmark = pytest.mark.django_db


def test_a_session_loads_as_djangos_own_store_loads_it():
    saved = SessionStore()
    saved.update({"signed_in_at": 1.5, "next": "/learning/", "roles": ["a", "b"]})
    saved.save()
    assert SessionStore(saved.session_key).load() == django_sessions.SessionStore(saved.session_key).load()
    assert SessionStore(saved.session_key)["roles"] == ["a", "b"]


@pytest.mark.parametrize("ended", ["expired", "deleted"])
def test_an_ended_session_loads_nothing_and_the_person_signs_in_again(client, quality_director, ended):
    signed_in(client, quality_director)
    assert client.get(reverse("organisation")).status_code == 200
    session = Session.objects.filter(session_key=client.session.session_key)
    if ended == "expired":
        session.update(expire_date=timezone.now() - timedelta(seconds=1))
    else:
        session.delete()  # signed out on another device

    store = SessionStore(client.cookies["sessionid"].value)
    assert store.load() == {} and store.session_key is None, "a new session is started when saved"
    response = client.get(reverse("organisation"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_authenticator_is_read_without_building_a_query_after_the_first_page(client, quality_director):
    signed_in(client, quality_director)
    assert client.get(reverse("organisation")).status_code == 200
    built = queries_compiled(TOTPDevice, lambda: client.get(reverse("organisation")))
    built_for_session = queries_compiled(Session, lambda: client.get(reverse("organisation")))
    assert (built, built_for_session) == (0, 0)


@pytest.mark.parametrize("device", ["another person's", "unconfirmed", "deleted", "unknown kind"])
def test_a_session_naming_a_device_that_is_not_the_persons_own_and_confirmed_passes_no_second_step(
    client, quality_director, device
):
    signed_in(client, quality_director)
    own = TOTPDevice.objects.get(user=quality_director)
    named = own.persistent_id
    if device == "another person's":
        named = TOTPDevice.objects.create(user=UserFactory(), name="Their app", confirmed=True).persistent_id
    elif device == "unconfirmed":
        TOTPDevice.objects.filter(pk=own.pk).update(confirmed=False)
    elif device == "deleted":
        own.delete()
    else:
        named = f"providers.region/{own.pk}"
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = named
    session.save()

    response = client.get(reverse("organisation"))
    assert response.status_code == 302
    assert response.url.startswith((reverse("two_factor_verify"), reverse("two_factor_setup")))
    assert DEVICE_ID_SESSION_KEY not in client.session, "django-otp forgets a device it did not accept"
