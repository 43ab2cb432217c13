"""Session time limits: signed out after SESSION_IDLE_SECONDS without a request, and after
SESSION_COOKIE_AGE from signing in however busy the person was (a shared care-home PC left open).

Both clocks live in the session. Django's own expiry slides forward each time the session is saved,
so it alone cannot be the absolute limit.
"""

import time

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# The last-seen time is written at most once a minute, so a page view rarely writes the session.
LAST_SEEN_PRECISION = 60


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
