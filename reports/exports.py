"""A report table as a CSV or XLSX file: the page's rows, the raw values.

Shares are written as fractions (0.7007; XLSX shows them as percentages), changes in
percentage points, counts as integers and "no figure" as an empty cell. The file names
the area and period in its name; the XLSX has a second sheet saying what the table holds.
Every cell goes through softbridge.spreadsheets, so a village or group name never runs as a formula.
"""

import csv
import io
import re

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext

from reports.disclosure import SUPPRESSED
from reports.tabular import Table
from softbridge.spreadsheets import Sheet, spreadsheet_cell, xlsx_attachment

CSV_TYPE = "text/csv; charset=utf-8"


def plain(value, kind: str, empty=""):
    if value is None:
        return empty
    if value is SUPPRESSED:
        return str(value)  # "< 5": not an empty cell, which would read "no one to count"
    if kind == "flags":
        return ", ".join(str(v) for v in value)
    if kind == "text":
        return str(value)
    return value


def sheet_title(text: str) -> str:
    """A worksheet name: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31].strip() or "table"


def file_name(table: Table, about: list[tuple[str, str]], extension: str) -> str:
    parts = [table.key, *(value for _label, value in about)]
    return slugify("-".join(str(p) for p in parts))[:120] + "." + extension


def table_csv(table: Table, about: list[tuple[str, str]]) -> HttpResponse:
    buffer = io.StringIO()
    # A byte-order mark, so that spreadsheet programs read the Vietnamese names as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_cell(str(c.label)) for c in table.columns])
    for row in table.rows:
        writer.writerow(
            [spreadsheet_cell(plain(value, c.kind)) for value, c in zip(row, table.columns, strict=True)]
        )
    response = HttpResponse(buffer.getvalue(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name(table, about, "csv")}"'
    return response


def table_xlsx(table: Table, about: list[tuple[str, str]]) -> HttpResponse:
    shares = {index: "0.00%" for index, column in enumerate(table.columns) if column.kind == "share"}
    rows = [[str(c.label) for c in table.columns]]
    rows += [
        [plain(value, c.kind, None) for value, c in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]
    notes = [[str(table.title)], *([str(label), str(value)] for label, value in about)]
    if table.note:
        notes.append([str(table.note)])
    return xlsx_attachment(
        file_name(table, about, "xlsx"),
        [
            Sheet(sheet_title(str(table.title)), rows, formats=shares),
            Sheet(sheet_title(gettext("About this table")), notes, bold_rows=0),
        ],
    )
