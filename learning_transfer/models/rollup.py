"""Figures kept up to date from the raw incidents and care hours, so pages never read raw rows in
proportion to a provider's history. `services.rollup.after_data_saved` is the one place that writes them.

Their references (service, incident) are not checked by the database row by row: each check is a query,
and a year-long import rewrites hundreds of thousands of these rows. They need no check, because
`after_data_saved` writes them from the incidents and care hours in the same statement, while it holds
a lock on each service that stops the service being deleted before the commit; those raw rows' own
service is checked. Deleting a service or an incident deletes its derived rows through the ORM
(CASCADE), and every path that deletes incidents recounts their days, which removes a flag another
save wrote meanwhile.
"""

from django.db import models
from django.db.models import Q

from providers.models import Service

from ..choices import ReviewReason
from .incidents import Incident


class ServiceDay(models.Model):
    """One service's incidents and care hours on one London day: the daily roll-up every rate, median,
    trend and pre-filled figure is computed from.

    Derived data, never edited: recounted from Incident and CareHours whenever either is saved, so it
    holds no history of its own (theirs is the audit trail). `care_hours` is empty when the service
    recorded no figure that day, which rates treat like zero hours (no rate).
    """

    # Indexed by the unique (service, day) below, which starts with it. Not checked row by row (see the
    # module's docstring): an import recounts a year of days for every service it touches.
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField()
    incidents = models.PositiveIntegerField(default=0)
    care_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "day"], name="service_day_once")]

    def __str__(self):
        return f"{self.service_id} {self.day}: {self.incidents} incidents, {self.care_hours} h"


class ReviewFlag(models.Model):
    """An incident that meets at least one review threshold of its provider (seed 003), with which.

    `repeated`: the incident completes a cluster, the `repeat_count`-th incident of one type at one
    service within `repeat_window_days`, counting afresh after each one flagged, from the first
    incident on record. The other reasons are plain conditions on the incident.

    Derived data: worked out again for a service whenever its incidents or its provider's thresholds
    change, so the review list reads a few flags instead of walking every incident. The service and
    time are copied here so the look-back period is read from this table's own index. `decided`
    follows the incident's review outcome and learning triggers, set wherever either is saved.
    """

    # Neither reference is checked row by row (see the module's docstring): a year-long import moves
    # every later repeat cluster, so it rewrites hundreds of thousands of flags.
    incident = models.OneToOneField(
        Incident, on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    # Indexed by the (service, occurred_at) index below, which starts with it.
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    occurred_at = models.DateTimeField()
    # One column per ReviewReason, named as its code.
    serious_harm = models.BooleanField(default=False)
    repeated = models.BooleanField(default=False)
    safeguarding = models.BooleanField(default=False)
    regulatory = models.BooleanField(default=False)
    several_people = models.BooleanField(default=False)
    # A review outcome or a learning trigger exists for the incident: it no longer awaits a decision.
    # Stored so the list awaiting one (most of a busy provider's flags are decided) reads only its
    # own rows from the partial index below; `review_flags.refresh_decided` keeps it current.
    decided = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["service", "occurred_at"], name="review_flag_service_time"),
            # Those awaiting a decision, newest first. The service and reasons are included so that
            # the list's count, for any scope and reason, is read from this index alone.
            models.Index(
                fields=["occurred_at", "incident"],
                include=["service", *ReviewReason.values],
                condition=Q(decided=False),
                name="review_flag_awaiting",
            ),
        ]

    def __str__(self):
        return f"Review flag: incident {self.incident_id}"
