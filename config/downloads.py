"""File downloads every app builds the same way: a CSV file as a response a spreadsheet opens right."""

from django.http import HttpResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# A spreadsheet runs a cell starting with one of these as a formula: such text gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(cell) -> str:
    """A cell as text a spreadsheet shows as written, never runs as a formula.

    Service names and reasons are typed by staff; a name such as `=HYPERLINK(...)` would otherwise
    run when a colleague opens the download."""
    text = str(cell)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_download(text: str, filename: str) -> HttpResponse:
    """CSV text as a file to save as `filename`, starting with the UTF-8 byte-order mark.

    Excel on Windows reads a CSV file without the mark as Windows-1252, so "café – £5" shows as
    "cafÃ© â€“ Â£5"; with it, Excel reads UTF-8. Our own importer reads the mark too (utf-8-sig), so a
    downloaded file still imports as it is."""
    response = HttpResponse(text.encode("utf-8-sig"), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
