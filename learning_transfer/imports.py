"""Reading and checking incident and care-hours files exported by e-care systems (CSV or Excel).

Checking is separate from saving: `check_incidents` / `check_care_hours` take a DataFrame and return
clean rows plus every problem found, each with its line number (the header is line 1). The caller
saves nothing when any row has a problem, so every value the database could refuse (too long, too
large, not a finite number) must be caught here: a refusal while saving cannot name the line.
Both kinds of file go through the same column checks (`_Rows`). Everything is vectorised: a
100,000-row file is checked in about a second and never with a query per row.
"""

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone

from config.downloads import spreadsheet_text
from providers.fields import EARLIEST_YEAR

from .choices import HarmLevel, ImportKind, IncidentTheme
from .import_columns import (
    CARE_HOURS_COLUMNS,
    COLUMNS,
    DESCRIPTION_LENGTH,
    EXAMPLE_REFUSED,
    INCIDENT_COLUMNS,
    MAX_CARE_HOURS_PER_DAY,
    SOURCE_REFERENCE_LENGTH,
    Column,
    column_name,
    example_rows,
    named_choices,
)
from .import_dates import (
    DATE_FORMATS,
    DATE_TIME_FORMATS,
    SHORT_YEAR,
    no_such_day,
    parse,
    skipped_by_the_clocks,
    to_london,
)
from .models.incidents import MAX_PEOPLE_AFFECTED, MIN_PEOPLE_AFFECTED

MAX_STORED_ERRORS = 500
MAX_LINES_NAMED = 50  # rows too long for the header named in the one message that refuses the file
SHOWN_CHARACTERS = 40  # a cell quoted in a message is cut to this, so one long cell cannot flood the list
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}
NUL = "\x00"
WRONG_FILE_TYPE = (
    "The file must be a .csv or .xlsx file. In Excel choose File › Save As › Excel Workbook (.xlsx) or "
    "CSV UTF-8 (.csv), then upload that."
)
# Excel saves "CSV" with semicolons where the comma is the decimal mark. Such a file is refused rather
# than read: its numbers would use that decimal comma too, and "1,200" would be misread as 1,200 hours.
SEMICOLONS = (
    "The file seems to use semicolons (;) between columns. Save it as “CSV UTF-8 (comma delimited)” "
    "and upload it again."
)
# A file uploaded as .csv that is no text: its first bytes are those of a PDF, a zip (an .xlsx or .docx
# renamed) or an old Excel or Word file, or many of them are control bytes (an image, a program, a
# "Unicode Text" save). pandas would read its first line as the header and report missing columns.
NOT_TEXT = (
    "The file is not a CSV file: it holds no plain text (it may be a PDF, a workbook or a “Unicode Text” "
    "file with a .csv name). Export the data from your e-care system as CSV, or open the spreadsheet in "
    "Excel and choose File › Save As › CSV UTF-8 (.csv), then upload that."
)
NOT_TEXT_STARTS = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
HEAD_BYTES = 1024  # the part of a file looked at to tell text from anything else
# Bytes that text never holds but in a mistake (a stray NUL in a cell is reported by line, `_Rows.text`).
CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c")
# A number as Excel writes it with a thousands separator (UK format): 1,200 or 12,345.5.
THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
NUMBER_HINT = "use a full stop for decimals (742.5) and commas only between thousands (1,200)."
DATE_EXAMPLE, DATE_TIME_EXAMPLE = "2026-11-02 or 02/11/2026", "2026-11-02 14:30 or 02/11/2026 14:30"


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong type, not a table, unreadable encoding)."""


@dataclass
class Checked:
    """The outcome of checking a file: clean rows (only meaningful without errors) and the errors."""

    rows: pd.DataFrame
    errors: list[dict] = field(default_factory=list)  # {"line": int, "message": str}, in line order
    # The optional columns the file does not hold: their defaults are for new rows only, and a row on
    # record keeps what it holds for them (a later export of fewer columns wipes nothing).
    absent: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return not self.errors


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def check_upload(upload, filename: str) -> int:
    """Refuse a file too large to import, before anything stores or reads it; return the size it will be
    read as (what an .xlsx unpacks to).

    An .xlsx is a zip of XML. Its members' declared sizes are checked (zipfile never unpacks a member
    beyond its declared size, so they cannot lie), in total and against the packed size, so a zip bomb
    is refused without unpacking a byte.
    """
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ImportFileError(
            f"The file is {_megabytes(upload.size)}; at most {_megabytes(limit)} can be imported at once. "
            "Split it into smaller files (by month, or by service)."
        )
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        upload.seek(0)
        _check_text(upload.read(HEAD_BYTES))
        upload.seek(0)
    if suffix not in (".xlsx", ".xlsm"):
        return upload.size
    return _check_workbook(upload, upload.size)


def _check_text(head: bytes) -> None:
    """Refuse a .csv file whose first bytes (`head`) are not text (NOT_TEXT). A few control bytes are
    a mistake in a cell; one in ten is a binary file."""
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    if head.startswith(NOT_TEXT_STARTS) or controls * 10 > len(head):
        raise ImportFileError(NOT_TEXT)


def _check_workbook(handle, packed: int) -> int:
    """What a workbook unpacks to, read from its zip directory; refused when too much (a zip bomb)."""
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as workbook:
            unpacked = sum(member.file_size for member in workbook.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError("The file is not a readable .xlsx workbook.") from exc
    finally:
        handle.seek(0)
    ratio = unpacked / max(packed, 1)
    if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES or ratio > settings.IMPORT_MAX_COMPRESSION_RATIO:
        raise ImportFileError(
            f"The workbook unpacks to {_megabytes(unpacked)} ({ratio:,.0f} times its size), more than a "
            "spreadsheet of rows ever does, so it was not opened. Save it as .csv and upload that instead."
        )
    return unpacked


def read_table(content, filename: str) -> pd.DataFrame:
    """Read a CSV or Excel file (bytes or an open binary file) into a DataFrame of strings, keeping
    empty cells as ''. A file with more rows than IMPORT_MAX_ROWS is refused."""
    suffix = Path(filename).suffix.lower()
    raw = content.read() if hasattr(content, "read") else content
    most = settings.IMPORT_MAX_ROWS
    try:
        if suffix in (".xlsx", ".xlsm"):
            _check_workbook(io.BytesIO(raw), len(raw))  # again: the file may not have come through a form
            frame = pd.read_excel(
                io.BytesIO(raw), dtype=str, keep_default_na=False, engine="openpyxl", nrows=most + 1
            )
        elif suffix == ".csv":
            frame = _read_csv(raw, nrows=most + 1)
        else:
            raise ImportFileError(WRONG_FILE_TYPE)
    except ImportFileError:
        raise
    except Exception as exc:  # pandas and openpyxl raise many types for a damaged file
        raise ImportFileError(f"The file could not be read as a table: {exc}") from exc
    if len(frame) > most:
        raise ImportFileError(
            f"The file has more than {most:,} rows, the most imported at once. "
            "Split it into smaller files (by month, or by service)."
        )
    frame = frame.fillna("").astype(str)
    # A blank row is no record. It is dropped with its index kept, so the rows after it keep the line
    # numbers a person sees in the file (`_lines`).
    return frame[(frame != "").any(axis=1)]


def _read_csv(content: bytes, nrows: int) -> pd.DataFrame:
    """CSV in UTF-8 (with or without a byte-order mark), or Windows-1252 as older Excel saves it.

    Blank lines are read as rows (and dropped by `read_table`) so later rows keep their line numbers.
    A row with more values than the header has columns is refused by line: pandas would otherwise
    take a first such row's extra values as an index and shift every column along, or stop at the
    first later one with a message about tokenizing."""
    _check_text(content[:HEAD_BYTES])  # again: the file may not have come through a form
    if _uses_semicolons(content):
        raise ImportFileError(SEMICOLONS)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                return pd.read_csv(
                    io.BytesIO(content),
                    dtype=str,
                    keep_default_na=False,
                    encoding=encoding,
                    nrows=nrows,
                    index_col=False,
                    skip_blank_lines=False,
                )
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.ParserWarning):
            raise ImportFileError(_too_many_values(content.decode(encoding))) from None
    raise ImportFileError("The file's text encoding is not UTF-8 or Windows-1252.")


def _uses_semicolons(content: bytes) -> bool:
    """Whether the header line is one column when split on commas but names documented columns when
    split on semicolons. Only the first line is read, whatever the file's size."""
    line = content.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip()
    if ";" not in line or len(next(csv.reader([line]), [])) > 1:
        return False
    documented = {column.name for columns in COLUMNS.values() for column in columns}
    return bool(documented & {column_name(name) for name in line.split(";")})


def _too_many_values(text: str) -> str:
    """Every row with more values than the header has columns, by line, in one message."""
    records = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = len(next(records, []))
    found = [(records.line_num, len(values)) for values in records if len(values) > header]
    shown = ", ".join(f"line {line} has {count} values" for line, count in found[:MAX_LINES_NAMED])
    more = f" (and {len(found) - MAX_LINES_NAMED:,} more rows)" if len(found) > MAX_LINES_NAMED else ""
    return (
        f"Some rows have more values than the header has columns: {shown}{more}; the header has {header}. "
        "A comma inside a cell needs the cell in double quotes. Nothing was imported."
    )


def service_lookup(services: list[tuple[int, str, str]]) -> dict[str, int]:
    """{casefolded CQC location ID or name: service id} for the importing provider's services only."""
    lookup = {}
    for pk, cqc_id, name in services:
        # Also as our downloads write it (a leading quote before "=", "-" …), so a name copied from one
        # of them is still found.
        for text in (name, cqc_id, spreadsheet_text(name), spreadsheet_text(cqc_id)):
            lookup[text.strip().casefold()] = pk
    return lookup


def _holds(frame: pd.DataFrame, columns: list[Column]) -> bool:
    """Whether the file has every required column of this kind of file."""
    return all(column.name in frame.columns for column in columns if column.required)


# What a file of the other kind, chosen under the wrong "What the file holds", is told.
CHOOSE_CARE_HOURS = (
    "This looks like a care-hours file (service, day, hours): choose Care hours under “What the file "
    "holds” and upload it again."
)
CHOOSE_INCIDENTS = (
    "This looks like an incidents file (source_reference, service, occurred_at, theme): choose "
    "Incidents under “What the file holds” and upload it again."
)


def _prepare(
    frame: pd.DataFrame, columns: list[Column], other_kind: tuple[list[Column], str]
) -> tuple[pd.DataFrame, list[dict], frozenset[str]]:
    """Normalise headers, strip cells and add absent optional columns (returned by name: `Checked.absent`);
    report missing or repeated ones, or, for a file of the other kind (`other_kind`: its columns and
    what to say), that the other kind should be chosen."""
    frame = frame.rename(columns=column_name)
    wanted = [c.name for c in columns]
    # "Hours" and "hours" become one name: which of the two columns to read would be a guess.
    repeated = sorted(set(frame.columns[frame.columns.duplicated()]) & set(wanted))
    missing = [c.name for c in columns if c.required and c.name not in frame.columns]
    problems = [f"Missing column: {name}." for name in missing]
    other_columns, choose_other = other_kind
    if missing and _holds(frame, other_columns):
        problems = [choose_other]  # the easy slip: the right file under the wrong "What the file holds"
    problems += [f"Column {name} appears more than once." for name in repeated]
    if problems:
        return frame, [{"line": 1, "message": text} for text in problems], frozenset()
    absent = frozenset(column.name for column in columns if column.name not in frame.columns)
    for name in absent:
        frame[name] = ""
    frame = frame[wanted].apply(_stripped)
    # A row of spaces looks blank in a spreadsheet: once stripped it is dropped as a blank row is.
    return frame[(frame != "").any(axis=1)], [], absent


def _stripped(column: pd.Series) -> pd.Series:
    """The column's cells without leading or trailing whitespace. pandas strips a cell in several
    times the time it takes to look at its two ends, so a quick look first finds whether any cell
    needs it (an e-care export rarely pads its cells)."""
    column = column.astype(str)
    if not any(cell[:1].isspace() or cell[-1:].isspace() for cell in column.tolist()):
        return column
    return column.str.strip()


def _per_distinct(values: pd.Series, function) -> pd.Series:
    """`function` of each cell, called once per distinct cell rather than once per row: a column of a
    few codes, answers or service names repeated a million times costs a few calls."""
    codes, distinct = pd.factorize(values)
    results = np.array([function(value) for value in distinct] + [None], dtype=object)
    return pd.Series(results[codes], index=values.index)  # code -1 (a missing cell) takes the None


def _lines(frame: pd.DataFrame) -> pd.Series:
    """Spreadsheet line numbers: the header is line 1, the first data row line 2. The frame's index is
    each row's place among the file's rows, blank ones included (`read_table`)."""
    return pd.Series(np.asarray(frame.index) + 2, index=frame.index)


def _shown(text: str) -> str:
    """A cell as quoted in a message: long cells are cut short, and a NUL byte is written out as \\x00
    (PostgreSQL can store it in neither a text column nor the job's list of errors)."""
    text = text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"
    return text.replace(NUL, "\\x00")


def _without_thousands(cells: pd.Series) -> pd.Series:
    """The cells with Excel's thousands separators taken out where the grouping is valid (1,200 and
    12,345.5, not 1,20). One pass in C finds whether any cell has a comma at all."""
    if "," not in "".join(cells.tolist()):
        return cells
    grouped = cells.str.fullmatch(THOUSANDS)
    return cells.where(~grouped, cells.str.replace(",", "", regex=False))


def _choice(values: pd.Series, choices) -> pd.Series:
    """Map codes or labels (any case) to choice codes; unknown values become NaN."""
    lookup = {c.value.casefold(): c.value for c in choices} | {
        str(c.label).casefold(): c.value for c in choices
    }
    return _per_distinct(values, lambda value: lookup.get(value.casefold()))


class _Rows:
    """The cells of one file being checked, their line numbers and every problem found so far.

    Each column check below serves both kinds of file: it reports its column's problems by line and
    returns the parsed values (missing where the cell is bad). Empty required cells are reported once,
    up front, so the column checks only judge cells that have something in them.
    """

    def __init__(self, frame: pd.DataFrame, columns: list[Column]):
        self.frame = frame
        self.lines = _lines(frame)
        self.found: list[tuple[int, int, str]] = []
        for column in columns:
            if column.required:
                self.report(frame[column.name] == "", f"{column.name} is empty.")

    def report(self, mask: pd.Series, message) -> None:
        """Record `message` (text, or a function of the row's index) for every row where mask is True."""
        mask = mask.fillna(False).astype(bool)
        for index in mask[mask].index:
            text = message(index) if callable(message) else message
            self.found.append((int(self.lines[index]), len(self.found), text))

    def errors(self) -> list[dict]:
        """Every problem, in line order (and in the order found within a line)."""
        return [{"line": line, "message": text} for line, _, text in sorted(self.found)]

    def quote(self, column: str, index) -> str:
        """For a message: the column's name and the row's cell, quoted and cut short."""
        return f"{column} '{_shown(self.frame.at[index, column])}'"

    def text(self, column: str, max_length: int | None = None) -> pd.Series:
        """Free text that must fit its database column (if it has a limit) and hold no NUL byte, which
        PostgreSQL refuses in any text. Other columns need no such check: a cell with a NUL is never a
        known choice, number, date or service, so their own checks report it."""
        values = self.frame[column]
        if NUL in "".join(values.tolist()):  # one pass in C; the per-cell search only when needed
            self.report(
                values.str.contains(NUL, regex=False),
                f"{column} contains a null character (\\x00), which cannot be saved: remove it.",
            )
        if max_length is not None:
            self.report(values.str.len() > max_length, f"{column} is longer than {max_length:,} characters.")
        return values

    def number(self, column: str, *, minimum: int, maximum: int, why: str, whole=False, default=None):
        """A finite number from `minimum` to `maximum` (whole if asked); `why` explains the maximum.

        pandas reads 'inf', 'Infinity' and 'NaN' as numbers: they are reported here, as the database
        would refuse them (or the Decimal conversion fail) only while saving.
        """
        cells = self.frame[column] if default is None else self.frame[column].replace("", default)
        values = pd.to_numeric(_without_thousands(cells), errors="coerce").astype("float64")  # huge: floats
        finite = pd.Series(np.isfinite(values), index=values.index)
        self.report((cells != "") & ~finite, lambda i: self._not_a_number(column, cells[i], i))
        if whole:
            self.report(
                finite & (values % 1 != 0), lambda i: f"{self.quote(column, i)} is not a whole number."
            )
        self.report(finite & (values < 0), lambda i: f"{column} cannot be negative (got {_shown(cells[i])}).")
        self.report(finite & (values >= 0) & (values < minimum), f"{column} must be at least {minimum}.")
        self.report(
            finite & (values > maximum), lambda i: f"{self.quote(column, i)} is more than {maximum:,}{why}."
        )
        return values.where(finite)

    def _not_a_number(self, column: str, cell: str, index) -> str:
        """'hours '742,5' is not a number', with how to write it when a comma was the trouble."""
        hint = f": {NUMBER_HINT}" if "," in cell else "."
        return f"{self.quote(column, index)} is not a number{hint}"

    def choice(self, column: str, choices, default=None) -> pd.Series:
        """One of the choices, by code or label in any case; an empty cell means `default`."""
        cells = self.frame[column] if default is None else self.frame[column].replace("", default)
        codes = _choice(cells, choices)
        self.report(
            codes.isna() & (cells != ""),
            lambda i: f"Unknown {self.quote(column, i)}. Use one of: {named_choices(choices)}.",
        )
        return codes

    def yes_no(self, column: str) -> pd.Series:
        """yes/no (or y/n, true/false, 1/0); an empty cell means no."""
        flags = _per_distinct(
            self.frame[column],
            lambda v: True if v.casefold() in TRUE_WORDS else False if v.casefold() in FALSE_WORDS else None,
        )
        self.report(flags.isna(), lambda i: f"{self.quote(column, i)} must be yes or no.")
        return flags

    def service(self, services: dict[str, int]) -> pd.Series:
        """One of the importing provider's services, by CQC location ID or name."""
        cells = self.frame["service"]
        service_id = _per_distinct(cells, lambda value: services.get(value.casefold())).astype("float64")
        self.report(
            service_id.isna() & (cells != ""),
            lambda i: (
                f"Unknown {self.quote('service', i)}: use the CQC location ID or name of one of "
                "your services."
            ),
        )
        return service_id

    def moment(self, column: str, now: datetime) -> pd.Series:
        """A UK date and time, not in the future, as aware UTC."""
        naive = parse(self.frame[column], DATE_TIME_FORMATS)
        self.report(
            naive.isna() & (self.frame[column] != ""),
            lambda i: self._not_a_date(column, i, DATE_TIME_EXAMPLE, "a date and time"),
        )
        # A time the clocks skipped in spring never happened: refused, not moved (found: four stored alike).
        self.report(
            skipped_by_the_clocks(naive),
            lambda i: (
                f"{self.quote(column, i)} did not happen in the UK: the clocks went forward from 01:00 to "
                "02:00 that night. Enter the time the clock showed, 02:00 or later."
            ),
        )
        moments = to_london(naive)
        self.report(moments > pd.Timestamp(now), lambda i: f"{self.quote(column, i)} is in the future.")
        self._not_too_early(column, naive)
        return moments

    def day(self, column: str, now: datetime) -> pd.Series:
        """A date without a time, not after today (UK), as midnight timestamps."""
        parsed = parse(self.frame[column], DATE_FORMATS)
        has_time = parsed.notna() & (parsed != parsed.dt.normalize())
        self.report(
            (parsed.isna() & (self.frame[column] != "")) | has_time,
            lambda i: self._not_a_date(column, i, DATE_EXAMPLE, "a date"),
        )
        parsed = parsed.where(~has_time)
        today = pd.Timestamp(timezone.localtime(now).date())
        self.report(parsed > today, lambda i: f"{self.quote(column, i)} is in the future.")
        self._not_too_early(column, parsed)
        return parsed

    def _not_a_date(self, column: str, index, example: str, what: str) -> str:
        """'… is not a date like 2026-11-02 or 02/11/2026.', asking for the full year when it is short."""
        cell = self.frame.at[index, column]
        message = f"{self.quote(column, index)} is not {what} like {example}."
        short = SHORT_YEAR.match(cell)
        if short:
            return f"{message} Use a four-digit year (20{short[1]})."
        return f"{message}{no_such_day(cell)}"

    def _not_too_early(self, column: str, parsed: pd.Series) -> None:
        """The same earliest year as every form's dates (providers.fields)."""
        self.report(
            parsed.dt.year < EARLIEST_YEAR,
            lambda i: f"{self.quote(column, i)} is before {EARLIEST_YEAR}.",
        )

    def duplicates(self, keys: dict[str, pd.Series], what: str) -> None:
        """Report every repeat of a key whose parts are all present, naming the key's first line."""
        keys = pd.DataFrame(keys)
        valid = keys.notna().all(axis=1) & (keys != "").all(axis=1)
        candidates = keys[valid]
        repeated = candidates.duplicated(keep="first").reindex(keys.index, fill_value=False)
        if not repeated.any():
            return
        first_line = self.lines[valid].groupby([candidates[c] for c in candidates.columns]).transform("first")
        self.report(repeated, lambda i: f"Duplicate row: the same {what} as line {first_line[i]}.")


def _check(
    frame: pd.DataFrame, columns: list[Column], values, other_kind: tuple[list[Column], str]
) -> Checked:
    """The one checking path: prepare the columns, let `values(rows)` check and parse each of them,
    and return the parsed rows with every problem found."""
    frame, header_problems, absent = _prepare(frame, columns, other_kind)
    if header_problems:
        return Checked(frame.iloc[0:0], header_problems)
    # A template's example row is refused on its own: its other cells would only add puzzles (an
    # unknown service EXAMPLE), and the file is refused whatever they hold.
    example = example_rows(frame)
    rows = _Rows(frame[~example], columns)
    parsed = values(rows)
    for line in _lines(frame)[example]:
        rows.found.append((int(line), -1, EXAMPLE_REFUSED.format(line=line)))
    return Checked(pd.DataFrame({"line": rows.lines, **parsed}), rows.errors(), absent)


def check_incidents(frame: pd.DataFrame, services: dict[str, int], now: datetime | None = None) -> Checked:
    """Check an incident file. Returns clean rows (service_id, source_reference, occurred_at, theme,
    harm_level, safeguarding_concern, regulatory_notification, people_affected, description)."""
    now = now or timezone.now()

    def values(rows: _Rows) -> dict[str, pd.Series]:
        reference = rows.text("source_reference", SOURCE_REFERENCE_LENGTH)
        service_id = rows.service(services)
        parsed = {
            "service_id": service_id,
            "source_reference": reference,
            "occurred_at": rows.moment("occurred_at", now),
            "theme": rows.choice("theme", IncidentTheme),
            "harm_level": rows.choice("harm_level", HarmLevel, default=HarmLevel.NONE.value),
            "safeguarding_concern": rows.yes_no("safeguarding_concern"),
            "regulatory_notification": rows.yes_no("regulatory_notification"),
            "people_affected": rows.number(
                "people_affected",
                minimum=MIN_PEOPLE_AFFECTED,
                maximum=MAX_PEOPLE_AFFECTED,
                why=", more people than any one service supports",
                whole=True,
                default="1",
            ),
            "description": rows.text("description", DESCRIPTION_LENGTH),
        }
        rows.duplicates({"service": service_id, "reference": reference}, "service and source_reference")
        return parsed

    return _check(frame, INCIDENT_COLUMNS, values, (CARE_HOURS_COLUMNS, CHOOSE_CARE_HOURS))


def check_care_hours(frame: pd.DataFrame, services: dict[str, int], now: datetime | None = None) -> Checked:
    """Check a care-hours file. Returns clean rows (service_id, day, hours)."""
    now = now or timezone.now()

    def values(rows: _Rows) -> dict[str, pd.Series]:
        service_id = rows.service(services)
        day = rows.day("day", now)
        hours = rows.number(
            "hours",
            minimum=0,
            maximum=MAX_CARE_HOURS_PER_DAY,
            why=", the most one service can deliver in a day (24 hours for each of 1,000 people)",
        )
        rows.duplicates({"service": service_id, "day": day}, "service and day")
        return {"service_id": service_id, "day": day.dt.date, "hours": hours.round(2)}

    return _check(frame, CARE_HOURS_COLUMNS, values, (INCIDENT_COLUMNS, CHOOSE_INCIDENTS))


CHECKERS = {ImportKind.INCIDENTS: check_incidents, ImportKind.CARE_HOURS: check_care_hours}
