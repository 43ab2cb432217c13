"""Reading and checking incident and care-hours files exported by e-care systems (CSV or Excel).

Checking is separate from saving: `check_incidents` / `check_care_hours` take a DataFrame and return
clean rows plus every problem found, each with its line number (the header is line 1). The caller
saves nothing when any row has a problem. Everything is vectorised: a 100,000-row file is checked
in about a second and never with a query per row.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils import timezone

from .choices import HarmLevel, ImportKind, IncidentTheme

MAX_STORED_ERRORS = 500
DATE_TIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"]
DATE_FORMATS = ["%d/%m/%Y"]
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong type, not a table, unreadable encoding)."""


@dataclass(frozen=True)
class Column:
    """One documented column of an import file."""

    name: str
    required: bool
    description: str
    example: str


INCIDENT_COLUMNS = [
    Column(
        "source_reference",
        True,
        "The incident's reference in your e-care system. It is the key: importing the same reference "
        "again updates the incident instead of adding another.",
        "INC-2026-0415",
    ),
    Column(
        "service", True, "The service's CQC location ID, or its name exactly as it is here.", "1-123456789"
    ),
    Column(
        "occurred_at", True, "UK date and time, as 2026-11-02 14:30 or 02/11/2026 14:30.", "2026-11-02 14:30"
    ),
    Column(
        "theme",
        True,
        "One of: " + ", ".join(f"{c.value} ({c.label})" for c in IncidentTheme) + ".",
        IncidentTheme.FALL.value,
    ),
    Column(
        "harm_level", False, "none, low, moderate, severe or death. Empty means none.", HarmLevel.LOW.value
    ),
    Column("safeguarding_concern", False, "yes or no. Empty means no.", "no"),
    Column("regulatory_notification", False, "yes or no: a statutory notification went to CQC.", "no"),
    Column("people_affected", False, "A whole number, 1 or more. Empty means 1.", "1"),
    Column("description", False, "What happened, briefly.", "Found on the floor beside the bed."),
]

CARE_HOURS_COLUMNS = [
    Column(
        "service", True, "The service's CQC location ID, or its name exactly as it is here.", "1-123456789"
    ),
    Column("day", True, "The day, as 2026-11-02 or 02/11/2026.", "2026-11-02"),
    Column("hours", True, "Care hours delivered that day: a number, 0 or more.", "742.5"),
]

COLUMNS = {ImportKind.INCIDENTS: INCIDENT_COLUMNS, ImportKind.CARE_HOURS: CARE_HOURS_COLUMNS}


@dataclass
class Checked:
    """The outcome of checking a file: clean rows (only meaningful without errors) and the errors."""

    rows: pd.DataFrame
    errors: list[dict] = field(default_factory=list)  # {"line": int, "message": str}, in line order

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(content: bytes, filename: str) -> pd.DataFrame:
    """Read a CSV or Excel file into a DataFrame of strings, keeping empty cells as ''."""
    suffix = Path(filename).suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(io.BytesIO(content), dtype=str, keep_default_na=False, engine="openpyxl")
        elif suffix == ".csv":
            frame = _read_csv(content)
        else:
            raise ImportFileError("The file must be a .csv or .xlsx file.")
    except ImportFileError:
        raise
    except Exception as exc:  # pandas and openpyxl raise many types for a damaged file
        raise ImportFileError(f"The file could not be read as a table: {exc}") from exc
    return frame.fillna("").astype(str)


def _read_csv(content: bytes) -> pd.DataFrame:
    """CSV in UTF-8 (with or without a byte-order mark), or Windows-1252 as older Excel saves it."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("The file's text encoding is not UTF-8 or Windows-1252.")


def template(kind: str) -> pd.DataFrame:
    """A one-row example file with every documented column."""
    return pd.DataFrame([{c.name: c.example for c in COLUMNS[kind]}])


def template_csv(kind: str) -> str:
    """The example file as CSV text."""
    return template(kind).to_csv(index=False)


def template_xlsx(kind: str) -> bytes:
    """The example file as an Excel workbook."""
    buffer = io.BytesIO()
    template(kind).to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def service_lookup(services: list[tuple[int, str, str]]) -> dict[str, int]:
    """{casefolded CQC location ID or name: service id} for the importing provider's services only."""
    lookup = {}
    for pk, cqc_id, name in services:
        lookup[name.strip().casefold()] = pk
        lookup[cqc_id.strip().casefold()] = pk
    return lookup


class _Problems:
    """Collects (line, message) pairs from boolean masks over the frame."""

    def __init__(self, lines: pd.Series):
        self.lines = lines
        self.found: list[tuple[int, int, str]] = []

    def add(self, mask: pd.Series, message) -> None:
        """Record `message` (text, or a function of the row's value) for every row where mask is True."""
        mask = mask.fillna(False).astype(bool)
        for index in mask[mask].index:
            text = message(index) if callable(message) else message
            self.found.append((int(self.lines[index]), len(self.found), text))

    def as_list(self) -> list[dict]:
        return [{"line": line, "message": text} for line, _, text in sorted(self.found)]


def _prepare(frame: pd.DataFrame, columns: list[Column]) -> tuple[pd.DataFrame, list[dict]]:
    """Normalise headers, strip cells and add absent optional columns; report missing required ones."""
    frame = frame.rename(columns=lambda c: str(c).strip().lower().replace(" ", "_"))
    missing = [c.name for c in columns if c.required and c.name not in frame.columns]
    if missing:
        return frame, [{"line": 1, "message": f"Missing column: {name}."} for name in missing]
    for column in columns:
        if column.name not in frame.columns:
            frame[column.name] = ""
    frame = frame[[c.name for c in columns]].apply(lambda col: col.astype(str).str.strip())
    return frame, []


def _lines(frame: pd.DataFrame) -> pd.Series:
    """Spreadsheet line numbers: the header is line 1, the first data row line 2."""
    return pd.Series(np.arange(len(frame)) + 2, index=frame.index)


def _choice(values: pd.Series, choices) -> pd.Series:
    """Map codes or labels (any case) to choice codes; unknown values become NaN."""
    lookup = {c.value.casefold(): c.value for c in choices} | {
        str(c.label).casefold(): c.value for c in choices
    }
    return values.str.casefold().map(lookup)


def _parse(values: pd.Series, formats: list[str], iso: bool = True) -> pd.Series:
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


def _to_london(naive: pd.Series) -> pd.Series:
    """UK wall times to aware UTC: the autumn's repeated hour takes its first (BST) occurrence and a
    spring-gap time moves forward, the same conventions as the working-time calendar."""
    london = naive.dt.tz_localize(
        "Europe/London", ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    return london.dt.tz_convert("UTC")


def _booleans(values: pd.Series) -> pd.Series:
    lowered = values.str.casefold()
    return lowered.map(lambda v: True if v in TRUE_WORDS else False if v in FALSE_WORDS else None)


def _check_services(frame, problems, services: dict[str, int]) -> pd.Series:
    service_id = frame["service"].str.casefold().map(services)
    problems.add(frame["service"] == "", "service is empty.")
    problems.add(
        service_id.isna() & (frame["service"] != ""),
        lambda i: (
            f"Unknown service '{frame.at[i, 'service']}': use the CQC location ID or name of one of "
            "your services."
        ),
    )
    return service_id


def _check_duplicates(keys: pd.DataFrame, valid: pd.Series, lines: pd.Series, problems, what: str) -> None:
    """Report every repeat of a key (rows whose key parts are all valid), naming the first line."""
    candidates = keys[valid]
    repeated = candidates.duplicated(keep="first")
    first_line = lines[valid].groupby([candidates[c] for c in candidates.columns]).transform("first")
    problems.add(
        repeated.reindex(keys.index, fill_value=False),
        lambda i: f"Duplicate row: the same {what} as line {first_line[i]}.",
    )


def check_incidents(frame: pd.DataFrame, services: dict[str, int], now: datetime | None = None) -> Checked:
    """Check an incident file. Returns clean rows (service_id, source_reference, occurred_at, theme,
    harm_level, safeguarding_concern, regulatory_notification, people_affected, description)."""
    now = now or timezone.now()
    frame, missing = _prepare(frame, INCIDENT_COLUMNS)
    if missing:
        return Checked(frame.iloc[0:0], missing)
    lines = _lines(frame)
    problems = _Problems(lines)
    value = lambda column: lambda i: frame.at[i, column]  # noqa: E731 - a short message helper

    reference = frame["source_reference"]
    problems.add(reference == "", "source_reference is empty.")
    problems.add(reference.str.len() > 60, "source_reference is longer than 60 characters.")
    service_id = _check_services(frame, problems, services)

    naive = _parse(frame["occurred_at"], DATE_TIME_FORMATS)
    problems.add(frame["occurred_at"] == "", "occurred_at is empty.")
    problems.add(
        naive.isna() & (frame["occurred_at"] != ""),
        lambda i: f"occurred_at '{value('occurred_at')(i)}' is not a date and time like 2026-11-02 14:30.",
    )
    occurred = _to_london(naive)
    problems.add(
        occurred > pd.Timestamp(now), lambda i: f"occurred_at '{value('occurred_at')(i)}' is in the future."
    )

    theme = _choice(frame["theme"], IncidentTheme)
    problems.add(frame["theme"] == "", "theme is empty.")
    problems.add(
        theme.isna() & (frame["theme"] != ""),
        lambda i: f"Unknown theme '{value('theme')(i)}'. Use one of: {', '.join(IncidentTheme.values)}.",
    )
    harm = _choice(frame["harm_level"].replace("", HarmLevel.NONE.value), HarmLevel)
    problems.add(
        harm.isna(),
        lambda i: (
            f"Unknown harm_level '{value('harm_level')(i)}'. Use one of: {', '.join(HarmLevel.values)}."
        ),
    )
    flags = {}
    for column in ("safeguarding_concern", "regulatory_notification"):
        flags[column] = _booleans(frame[column])
        problems.add(flags[column].isna(), lambda i, c=column: f"{c} '{frame.at[i, c]}' must be yes or no.")

    people = pd.to_numeric(frame["people_affected"].replace("", "1"), errors="coerce")
    problems.add(
        people.isna() | (people % 1 != 0),
        lambda i: f"people_affected '{value('people_affected')(i)}' is not a whole number.",
    )
    problems.add(
        people < 0, lambda i: f"people_affected cannot be negative (got {value('people_affected')(i)})."
    )
    problems.add(people == 0, "people_affected must be at least 1.")

    keys = pd.DataFrame({"service": service_id, "reference": reference})
    valid = service_id.notna() & (reference != "")
    _check_duplicates(keys, valid, lines, problems, "service and source_reference")

    rows = pd.DataFrame(
        {
            "line": lines,
            "service_id": service_id,
            "source_reference": reference,
            "occurred_at": occurred,
            "theme": theme,
            "harm_level": harm,
            "safeguarding_concern": flags["safeguarding_concern"],
            "regulatory_notification": flags["regulatory_notification"],
            "people_affected": people,
            "description": frame["description"],
        }
    )
    return Checked(rows, problems.as_list())


def check_care_hours(frame: pd.DataFrame, services: dict[str, int], now: datetime | None = None) -> Checked:
    """Check a care-hours file. Returns clean rows (service_id, day, hours)."""
    now = now or timezone.now()
    frame, missing = _prepare(frame, CARE_HOURS_COLUMNS)
    if missing:
        return Checked(frame.iloc[0:0], missing)
    lines = _lines(frame)
    problems = _Problems(lines)
    service_id = _check_services(frame, problems, services)

    parsed = _parse(frame["day"], DATE_FORMATS)
    has_time = parsed.notna() & (parsed != parsed.dt.normalize())
    problems.add(frame["day"] == "", "day is empty.")
    problems.add(
        (parsed.isna() & (frame["day"] != "")) | has_time,
        lambda i: f"day '{frame.at[i, 'day']}' is not a date like 2026-11-02.",
    )
    day = parsed.dt.date
    today = timezone.localtime(now).date()
    problems.add(parsed.notna() & (day > today), lambda i: f"day '{frame.at[i, 'day']}' is in the future.")

    hours = pd.to_numeric(frame["hours"], errors="coerce")
    problems.add(frame["hours"] == "", "hours is empty.")
    problems.add(
        hours.isna() & (frame["hours"] != ""), lambda i: f"hours '{frame.at[i, 'hours']}' is not a number."
    )
    problems.add(hours < 0, lambda i: f"hours cannot be negative (got {frame.at[i, 'hours']}).")

    keys = pd.DataFrame({"service": service_id, "day": parsed})
    _check_duplicates(keys, service_id.notna() & parsed.notna(), lines, problems, "service and day")
    rows = pd.DataFrame({"line": lines, "service_id": service_id, "day": day, "hours": hours.round(2)})
    return Checked(rows, problems.as_list())


CHECKERS = {ImportKind.INCIDENTS: check_incidents, ImportKind.CARE_HOURS: check_care_hours}
