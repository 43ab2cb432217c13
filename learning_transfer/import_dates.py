"""Dates and times as the files people import write them: UK day/month/year (with a midnight time, or
the 12-hour clock, as a spreadsheet may write them) or ISO, read as UK wall times; a date that does not
exist is named as such."""

import re
from datetime import date

import numpy as np
import pandas as pd

DATE_TIME_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %I:%M %p",  # 07/12/2026 2:30 PM, as a spreadsheet set to the 12-hour clock writes it
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%Y",
]
# A day may come with a time of midnight, as a spreadsheet writes a date cell; any other time is refused.
DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"]
UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s|$)")
SHORT_YEAR = re.compile(r"\d{1,2}/\d{1,2}/(\d{2})(?:\s|$)")  # Excel's short date: 05/01/26


def no_such_day(cell: str) -> str:
    """For a UK date that does not exist, why (" There is no 31 November 2026."), else ""."""
    found = UK_DATE.match(cell)
    if not found:
        return ""
    day, month, year = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        return f" There is no month {month}: dates are day/month/year."
    try:
        date(year, month, day)
    except ValueError:
        return f" There is no {day} {date(year, month, 1):%B} {year}."
    return ""


def parse(values: pd.Series, formats: list[str], iso: bool = True) -> pd.Series:
    """Parse dates/times written in any of the formats (ISO first); unparseable values become NaT."""
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    if iso:
        parsed = _try_format(values, "ISO8601", parsed)
    for fmt in formats:
        parsed = _try_format(values, fmt, parsed)
    return parsed


def _try_format(values: pd.Series, fmt: str, parsed: pd.Series) -> pd.Series:
    unparsed = parsed.isna() & (values != "")
    if not unparsed.any():
        return parsed
    try:
        attempt = pd.to_datetime(values[unparsed], format=fmt, errors="coerce")
    except (ValueError, TypeError):  # mixed time zones in ISO text: treat those rows as bad dates
        return parsed
    if getattr(attempt.dt, "tz", None) is not None:
        return parsed  # times must be UK wall times without an offset
    parsed.loc[unparsed] = attempt.astype("datetime64[us]")
    return parsed


def to_london(naive: pd.Series) -> pd.Series:
    """UK wall times to aware UTC: the autumn's repeated hour takes its first (BST) occurrence and a
    spring-gap time moves forward, the same conventions as the working-time calendar."""
    london = naive.dt.tz_localize(
        "Europe/London", ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    return london.dt.tz_convert("UTC")


def skipped_by_the_clocks(naive: pd.Series) -> pd.Series:
    """Which UK wall times never happened: those in the spring hour the clocks skip (01:00 to 02:00 on
    the last Sunday of March). `to_london` would move them forward; an import refuses them instead."""
    localised = naive.dt.tz_localize(
        "Europe/London", ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT"
    )
    return naive.notna() & localised.isna()
