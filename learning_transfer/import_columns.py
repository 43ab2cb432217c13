"""The documented columns of the incident and care-hours import files, and the example file of each.

The import page's column table, the example file and the checks all read these, so a column is
described once. The example file's row is only an example: the checks refuse it (`example_rows`)."""

import io
from dataclasses import dataclass

import pandas as pd

from config.downloads import spreadsheet_text

from .choices import HarmLevel, ImportKind, IncidentTheme
from .models import Incident
from .models.incidents import PEOPLE_AFFECTED_RULE

SOURCE_REFERENCE_LENGTH = Incident._meta.get_field("source_reference").max_length  # the column's own limit
DESCRIPTION_LENGTH = Incident._meta.get_field("description").max_length  # the model's limit (a TextField)
# CareHours.hours is DECIMAL(8, 2), so the column holds up to 999,999.99, but no day at one service comes
# near that: round-the-clock care for 1,000 people is 24,000 hours, beyond England's largest services
# (the biggest care homes have a few hundred beds). A larger figure is a typo or a total for a longer
# period, and rejecting it keeps it out of every incident rate.
MAX_CARE_HOURS_PER_DAY = 24 * 1000


def named_choices(choices) -> str:
    """The choices as a person reads them, the code a file may use second: 'Fall (fall), Medication
    error (medication), …'. The column table and the refusal of an unknown value both say this."""
    return ", ".join(f"{choice.label} ({choice.value})" for choice in choices)


@dataclass(frozen=True)
class Column:
    """One documented column of an import file."""

    name: str
    required: bool
    description: str
    example: str


SERVICE_COLUMN = Column(
    "service", True, "The service's CQC location ID, or its name exactly as it is here.", "1-123456789"
)

INCIDENT_COLUMNS = [
    Column(
        "source_reference",
        True,
        "The incident's reference in your e-care system. It is the key: importing the same reference "
        "again updates the incident instead of adding another. An incident a serious failure was "
        "logged from is never changed by an import: a row that would change it stops the whole file. "
        f"At most {SOURCE_REFERENCE_LENGTH} characters.",
        "INC-2026-0415",
    ),
    SERVICE_COLUMN,
    Column(
        "occurred_at",
        True,
        "UK date and time, as 2026-11-02 14:30 or 02/11/2026 14:30: the time the clock showed (a time in "
        "the hour the clocks skip in spring is refused; in the hour they repeat in autumn, the first is "
        "taken).",
        "2026-11-02 14:30",
    ),
    Column(
        "theme",
        True,
        f"One of: {named_choices(IncidentTheme)}.",
        IncidentTheme.FALL.value,
    ),
    Column(
        "harm_level", False, "none, low, moderate, severe or death. Empty means none.", HarmLevel.LOW.value
    ),
    Column("safeguarding_concern", False, "yes or no. Empty means no.", "no"),
    Column("regulatory_notification", False, "yes or no: a statutory notification went to CQC.", "no"),
    Column("people_affected", False, f"{PEOPLE_AFFECTED_RULE.capitalize()}. Empty means 1.", "1"),
    Column(
        "description",
        False,
        f"What happened, briefly. At most {DESCRIPTION_LENGTH:,} characters.",
        "Found on the floor beside the bed.",
    ),
]

CARE_HOURS_COLUMNS = [
    SERVICE_COLUMN,
    Column("day", True, "The day, as 2026-11-02 or 02/11/2026.", "2026-11-02"),
    Column(
        "hours",
        True,
        f"Care hours delivered that day: a number from 0 to {MAX_CARE_HOURS_PER_DAY:,}.",
        "742.5",
    ),
]

COLUMNS = {ImportKind.INCIDENTS: INCIDENT_COLUMNS, ImportKind.CARE_HOURS: CARE_HOURS_COLUMNS}


def column_name(name) -> str:
    """A header cell as the checks name its column: trimmed, lower case, spaces as underscores."""
    return str(name).strip().lower().replace(" ", "_")


# The service cell of a template's example row: no service is called this, so the row cannot land on
# one, and the checks recognise it (`example_rows`).
EXAMPLE_SERVICE = "EXAMPLE"
EXAMPLE_REFUSED = "Line {line} is the example row from the template: delete it and add your own rows."


def template(kind: str) -> pd.DataFrame:
    """The example file: the header and one example row, its service EXAMPLE. The import refuses the row
    (`example_rows`), so a template uploaded unchanged changes no real figure. Every cell is written as
    a spreadsheet shows it, never as a formula it would run."""
    row = {c.name: c.example for c in COLUMNS[kind]} | {SERVICE_COLUMN.name: EXAMPLE_SERVICE}
    return pd.DataFrame([{name: spreadsheet_text(cell) for name, cell in row.items()}])


def example_rows(frame: pd.DataFrame) -> pd.Series:
    """Which rows of a file (headers named, cells stripped) are a template's example row: those whose
    service still reads EXAMPLE. Only the mark counts: a row of real figures may well hold the
    example's day or hours."""
    return frame[SERVICE_COLUMN.name].str.casefold() == EXAMPLE_SERVICE.casefold()


def template_csv(kind: str) -> str:
    """The example file as CSV text."""
    return template(kind).to_csv(index=False)


def template_xlsx(kind: str) -> bytes:
    """The example file as an Excel workbook."""
    buffer = io.BytesIO()
    template(kind).to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()
