"""Lockout after failed passwords, by two rules with their own limits (django-axes).

Axes keeps one count per rule in AXES_LOCKOUT_PARAMETERS (a username from one address, then a
username from every address) but compares them all with one limit, AXES_FAILURE_LIMIT. This handler
reports, for the username-only rule, its failures scaled to that limit, so the username is locked
when either rule reaches its own limit: AXES_FAILURE_LIMIT from one address, or
AXES_USERNAME_FAILURE_LIMIT from all addresses together.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class UsernameAndAddressLockout(AxesDatabaseHandler):
    """Locks a username after too many failures from one address, or from all addresses together."""

    def get_failures(self, request, credentials=None) -> int:
        from_one_address, from_anywhere = (
            _failures(attempts) for attempts in self.get_user_attempts(request, credentials)
        )
        # floor(n * L / U) reaches L exactly when n reaches U.
        scaled = from_anywhere * settings.AXES_FAILURE_LIMIT // settings.AXES_USERNAME_FAILURE_LIMIT
        return max(from_one_address, scaled)
