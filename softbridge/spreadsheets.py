"""Cells as spreadsheets read them: text that stays text in every CSV and XLSX we write.

Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ (or a tab or a
carriage return before one) as a formula: a resident, group or topic name or a visit note
typed as `=HYPERLINK(...)` would run on the machine of whoever opens the export. So every
CSV and XLSX writer (the roster exports, the report tables, the model review, the admin's
django-import-export formats) passes its values through `spreadsheet_cell`, as OWASP
advises: such text gets a leading apostrophe, which the spreadsheet shows and never runs.
The same holds inside the text, after a field separator (, ; or a tab) or a line break and
any spaces: a CSV opened with another separator than it was written with (Excel in
Vietnamese settings splits on ";") cuts "Ghi chú;=1+2;" into cells, the second a formula,
so it is written "Ghi chú;'=1+2;". A name that merely contains these characters
("Lò Văn-Anh", "a=b") is left alone, and numbers and dates keep their types. XLSX text is
also stored as text (`xlsx_cell`), never as a formula or an error cell, whatever it looks like.

Every XLSX the site writes (the roster exports and template, the report tables, the model
review, the admin's XLSX format) is written by `xlsx_bytes` from `Sheet`s, in openpyxl's
write-only (streaming) mode: the cells are xlsx_cell's, header rows bold.

The importers (the roster import and the admin's formats) read such a cell back with
`typed_text`, so that an export imports back unchanged: "'=Nguyen" is the name "=Nguyen".
The admin's CSV also starts with a byte-order mark, so that Excel reads the Vietnamese.
"""

import datetime
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import tablib
from django.http import HttpResponse
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Where a spreadsheet may start reading a cell: the text's start, or after a field separator
# (whichever the reader picked: , ; or a tab) or a line break, then any spaces, which
# LibreOffice may trim.
_CELL_START = r"(?:^|[,;\t\r\n]) *"
_FORMULA_START = "(?=[" + re.escape("".join(FORMULA_STARTS)) + "])"
_FORMULA_STARTS_WITHIN = re.compile(_CELL_START + _FORMULA_START)
_NEUTRALISED_WITHIN = re.compile("(" + _CELL_START + ")'" + _FORMULA_START)


def spreadsheet_cell(value):
    """`value` as a spreadsheet cell may hold it: wherever a formula could start, at the start
    of the text or after a separator or line break within it, an apostrophe goes first."""
    if isinstance(value, str):
        return _FORMULA_STARTS_WITHIN.sub(lambda start: start.group(0) + "'", value)
    return value


def typed_text(text: str) -> str:
    """The text a cell written by `spreadsheet_cell` stood for: "'=Nguyen" is "=Nguyen",
    "Ghi chú;'=1+2;" is "Ghi chú;=1+2;"."""
    return _NEUTRALISED_WITHIN.sub(r"\1", text)


def xlsx_cell(sheet, value) -> Cell:
    """A cell of `sheet` holding `value`; text is stored as text, never as a formula.

    XLSX cannot hold most control characters (openpyxl refuses them): they are left out,
    so that one stray character in a note does not make the whole export fail.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=spreadsheet_cell(value))
    if isinstance(cell.value, str):
        # openpyxl makes "=..." a formula and "#N/A" an error; a name is neither.
        cell.data_type = "s"
    return cell


@dataclass
class Sheet:
    """One worksheet for xlsx_bytes: its title and rows, and how they are shown.

    `bold_rows` first rows are headers and `bold_columns` first columns labels, in bold;
    `formats` give a column (counted from 0) a number format below the headers ("0.00%",
    "@" for numbers kept as text); `date_format`, when given, is every date cell's format;
    `widths` are column widths (counted from 0).
    """

    title: str
    rows: Iterable[Sequence]
    bold_rows: int = 1
    bold_columns: int = 0
    formats: Mapping[int, str] = field(default_factory=dict)
    date_format: str | None = None
    widths: Mapping[int, float] = field(default_factory=dict)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The XLSX file of `sheets`, every cell an xlsx_cell (text as text, never a formula)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31] or None)
        for column, width in spec.widths.items():
            sheet.column_dimensions[get_column_letter(column + 1)].width = width
        for number, values in enumerate(spec.rows):
            cells = []
            for column, value in enumerate(values):
                cell = xlsx_cell(sheet, value)
                if number < spec.bold_rows or column < spec.bold_columns:
                    cell.font = bold
                if number >= spec.bold_rows and column in spec.formats:
                    cell.number_format = spec.formats[column]
                elif spec.date_format and isinstance(value, datetime.date):
                    cell.number_format = spec.date_format
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_attachment(filename: str, sheets: Iterable[Sheet]) -> HttpResponse:
    """`sheets` as an XLSX file to download, named `filename`."""
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The admin's files (django-import-export) -----------------------------------------


def _dataset(dataset: tablib.Dataset, cell) -> tablib.Dataset:
    rows = [[cell(value) for value in row] for row in dataset]
    headers = [cell(header) for header in dataset.headers] if dataset.headers else None
    return tablib.Dataset(*rows, headers=headers, title=dataset.title)


def _typed_cell(value):
    return typed_text(value) if isinstance(value, str) else value


class _SpreadsheetFormat:
    """A django-import-export format whose cells are written by spreadsheet_cell and read by typed_text."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(_dataset(dataset, spreadsheet_cell), **kwargs)

    def create_dataset(self, in_stream, *args, **kwargs):
        return _dataset(super().create_dataset(in_stream, *args, **kwargs), _typed_cell)


class _WithBOM:
    def export_data(self, dataset, **kwargs):
        # A byte-order mark, so that Excel reads the Vietnamese letters as UTF-8.
        return "\ufeff" + super().export_data(dataset, **kwargs)


class SpreadsheetCSV(_WithBOM, _SpreadsheetFormat, base_formats.CSV):
    pass


class SpreadsheetTSV(_WithBOM, _SpreadsheetFormat, base_formats.TSV):
    pass


class SpreadsheetHTML(_SpreadsheetFormat, base_formats.HTML):
    pass  # Excel opens an HTML table as a sheet


class SpreadsheetXLSX(_SpreadsheetFormat, base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        # tablib would store "=..." as a formula and "#N/A" as an error: write it as the
        # site's own files are written, text as text.
        headers = [dataset.headers] if dataset.headers else []
        return xlsx_bytes([Sheet(dataset.title or "", [*headers, *dataset], bold_rows=len(headers))])


# The admin's formats (villages.scoped_admin.ScopedAdmin): the spreadsheets written as
# above, JSON and YAML, which no spreadsheet runs, as they are.
ADMIN_FORMATS = (
    SpreadsheetCSV,
    SpreadsheetXLSX,
    SpreadsheetTSV,
    base_formats.JSON,
    base_formats.YAML,
    SpreadsheetHTML,
)
