"""Receipt counted in SQL: which matched services received their learning in time, which are still
inside their receipt window, and the receipt of services left out after their notice went out.

A service left out of a trigger after its notice went out was sent the learning: its receipt still
counts (`MatchedService.JUDGED_FOR_RECEIPT`), so leaving out a late service never makes the
distribution look better than it was. A2 judges its trigger so (`measures.receipt_judged`), and the
executive summary counts every trigger so, here.
"""

from datetime import datetime, timedelta

import pandas as pd
from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from .. import chain

LEFT_OUT_COLUMNS = ("trigger_id", "left_out_sent", "left_out_received", "left_out_pending")


def windows(receipt: "chain.ReceiptWindows | int") -> chain.ReceiptWindows:
    """`receipt` as ReceiptWindows: a number of hours judges every trigger by it."""
    return receipt if isinstance(receipt, chain.ReceiptWindows) else chain.ReceiptWindows(receipt, {})


def received_in_time(receipt: "chain.ReceiptWindows | int") -> Q:
    """Matched services that received their learning in time: a notice of any round acknowledged
    within their trigger's receipt window of the service's own first notice, which is "its first
    acknowledgement is at most that many hours after its first notice", one comparison of the two times
    the match keeps (`notices.refresh_notice_figures`): `MatchedService.received_within` in SQL."""
    return windows(receipt).each(
        lambda hours: Q(first_acknowledged_at__lte=F("first_notice_at") + timedelta(hours=hours))
    )


def receipt_not_yet_due(receipt: "chain.ReceiptWindows | int", now: datetime) -> Q:
    """Matched services whose receipt window is still open and who have not yet received the learning:
    not late yet, so left out of the receipt rate and the defects until the window closes."""

    def open_and_not_received(hours: int) -> Q:
        window = timedelta(hours=hours)
        not_received = Q(first_acknowledged_at__isnull=True) | Q(
            first_acknowledged_at__gt=F("first_notice_at") + window
        )
        return Q(first_notice_at__gt=now - window) & not_received

    return windows(receipt).each(open_and_not_received)


def left_out_receipt(
    left_out: QuerySet, receipt: "chain.ReceiptWindows | int", now: datetime
) -> pd.DataFrame:
    """Per trigger, the receipt of its services left out after their notice went out (`left_out`, the
    filtered matches left out and sent the learning): how many (left_out_sent), received in time
    (left_out_received) and still inside their window (left_out_pending). One grouped query; such
    services are few, and a trigger with none has no row."""
    rows = (
        left_out.values("trigger_id")
        .annotate(
            left_out_sent=Count("pk"),
            left_out_received=Count("pk", filter=received_in_time(receipt)),
            left_out_pending=Count("pk", filter=receipt_not_yet_due(receipt, now)),
        )
        .order_by()
    )
    sql, params = rows.values_list(*LEFT_OUT_COLUMNS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame(cursor.fetchall(), columns=LEFT_OUT_COLUMNS, dtype="int64")


def with_left_out_receipt(counts: pd.DataFrame, left_out: pd.DataFrame) -> pd.DataFrame:
    """The per-trigger counts with receipt judged as A2 judges it: `received` and `receipt_pending`
    count the services left out after their notice too, `receipt_services` is how many services the
    receipt is judged over and `receipt_left_out` how many of them were left out. A trigger not issued
    counts no receipt."""
    merged = counts.merge(left_out, on="trigger_id", how="left", validate="one_to_one")
    extra = merged[list(LEFT_OUT_COLUMNS[1:])].fillna(0).astype("int64")
    issued = merged["issued"]
    counts = counts.copy()
    counts["receipt_left_out"] = extra["left_out_sent"].where(issued, 0).to_numpy()
    counts["receipt_services"] = counts["services"] + counts["receipt_left_out"]
    counts["received"] += extra["left_out_received"].where(issued, 0).to_numpy()
    counts["receipt_pending"] += extra["left_out_pending"].where(issued, 0).to_numpy()
    return counts
