"""Sessions: where they are kept, and their time limits.

A person is signed out after SESSION_IDLE_SECONDS without a request, and after SESSION_COOKIE_AGE
from signing in however busy the person was (a shared care-home PC left open). Both clocks live in
the session. Django's own expiry slides forward each time the session is saved, so it alone cannot be
the absolute limit.

Sessions are Django's database sessions (this module is SESSION_ENGINE), read by plain SQL.
"""

import time

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# The last-seen time is written at most once a minute, so a page view rarely writes the session.
LAST_SEEN_PRECISION = 60


class SessionStore(db.SessionStore):
    """Django's database sessions, each read by one SQL statement written once: every request of a
    signed-in person reads their session, and building the ORM's query for it cost more than running
    it. Everything else (saving, signing out, clearing expired sessions) is Django's own."""

    def load(self) -> dict:
        """The session's data while it is unexpired; otherwise nothing, and no key, as Django's own
        `load` does, so that a new session is started when this one is saved."""
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])


def start_session_clock(sender, request, user, **kwargs):
    """On signing in, both clocks start."""
    if getattr(request, "session", None) is None:
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def expiry_reason(session, idle_seconds: int, max_age: int) -> str | None:
    """Why this session has ended, in plain English, or None while it is still good."""
    now = time.time()
    signed_in_at = session.get(SIGNED_IN_AT, now)
    last_seen_at = session.get(LAST_SEEN_AT, now)
    if now - signed_in_at > max_age:
        return f"You were signed out because you had been signed in for {_duration(max_age)}. Sign in again."
    if now - last_seen_at > idle_seconds:
        return (
            f"You were signed out because you had not used the service for {_duration(idle_seconds)}. "
            "Sign in again."
        )
    return None


def record_activity(session) -> None:
    """Move the idle clock on (starting both clocks for a session signed in before they existed)."""
    now = time.time()
    session.setdefault(SIGNED_IN_AT, now)
    if now - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_PRECISION:
        session[LAST_SEEN_AT] = now


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


SWITCHED_OFF = (
    "Your sign-in was switched off by your provider administrator, so you were signed out. "
    "Ask them if you think this is wrong."
)


def user_switched_off(session) -> bool:
    """Whether the session names a person whose sign-in is switched off: Django then treats the request
    as nobody's, and the person would meet a bare sign-in page. Asked only for a request of nobody,
    so a signed-in person's pages never pay for it."""
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return False
    return get_user_model().objects.filter(pk=user_id, is_active=False).exists()
