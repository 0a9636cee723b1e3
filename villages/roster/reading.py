"""Reading a roster file: CSV or XLSX, streamed one row at a time within the caps on its size."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


class RosterUnreadable(Exception):
    """The file is not a CSV or XLSX roster at all, or it holds more than an import takes.

    `row` and `column` locate the problem when it has a place in the file (a row past the
    cap); otherwise row 1, column "-", as for the file as a whole.
    """

    def __init__(self, message: str, *, row: int = 1, column: str = "-"):
        super().__init__(message)
        self.row = row
        self.column = column


# What a file may hold. A sheet's cells cost memory whether or not they mean anything: an
# XLSX of 2 KB can hold a cell at row 1,048,576 of column XFD (16,384), and every row before
# it, padded to that width, would not fit in any server's memory. So the file is read one
# row at a time, each row is cut to the roster's columns as it is read, and the reading
# stops at the first row past a cap (the rows a commune holds, the columns a roster has
# plus a margin for a row number and notes).
MAX_COLUMNS = 100
# A CSV line is parsed whole: a line longer than this (17 cells of at most 255 characters
# are about 4,500) is no roster's row, and its cells are not even split.
MAX_LINE_CHARS = 100_000
# An XLSX is a zip: a few KB of it can unpack to gigabytes of repeated text, which openpyxl
# would hold in memory (the shared strings). A roster of 200,000 rows unpacks to well under
# this; the sizes a zip declares are checked before anything is unpacked, and Python's
# zipfile never unpacks more than a member declares.
MAX_XLSX_UNPACKED_BYTES = 400 * 2**20
# Within that size a workbook can still hold 21 million tiny shared strings (or cells), and
# openpyxl builds the whole shared-strings table (even in read-only mode) and each row's
# cells before any cap on rows applies: 216 s of CPU and 3.3 GB for a 919 KB file. A roster
# has 17 columns (the official figures 9): with a row number, notes and a margin, no row of
# either needs more than this many cells, nor a whole file more strings than cells.
CELLS_PER_ROW = 20
# Beside the rows: empty rows and formatted empty cells (which count for nothing in the cap
# on rows), the other parts' elements that the counting cannot tell from cells.
XLSX_CELLS_MARGIN = 100_000
# How much of a member is counted at a time (see _xlsx_counts).
_COUNTING_CHUNK = 2**20


def max_rows() -> int:
    """The cap on a file's rows (after the header): settings.ROSTER_MAX_ROWS."""
    return settings.ROSTER_MAX_ROWS


def max_xlsx_cells() -> int:
    """The cap on a workbook's cells, and on its shared strings: the rows a file may hold
    (with its header) times CELLS_PER_ROW, and XLSX_CELLS_MARGIN."""
    return (max_rows() + 1) * CELLS_PER_ROW + XLSX_CELLS_MARGIN


@dataclass
class RosterTable:
    headers: list[str]
    # (spreadsheet row, cells) of each non-empty row after the header, read as it is
    # consumed; raises RosterUnreadable at the first row past a cap.
    lines: Iterator[tuple[int, Sequence]]


def roster_table(source) -> RosterTable:
    """Read a CSV or XLSX roster from a path, bytes or a binary file object.

    XLSX is recognised by its content (a zip archive), not its name, so a misnamed file
    still reads. Raises RosterUnreadable with a message a person can act on, here for the
    file and its header, while the rows are read for a row past a cap.
    """
    data = _read_bytes(source)
    if data[:4] == b"PK\x03\x04":
        return _xlsx_table(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RosterUnreadable(
            _("This is an old Excel file (.xls): save it as .xlsx or CSV UTF-8 and try again.")
        )
    return _csv_table(data)


def _read_bytes(source) -> bytes:
    if isinstance(source, bytes):
        return source
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        return source.read()
    with open(source, "rb") as file:
        return file.read()


def _within_columns(cells: Sequence, row: int) -> Sequence:
    """The row's cells up to MAX_COLUMNS; RosterUnreadable names the first filled cell past it."""
    for position in range(MAX_COLUMNS, len(cells)):
        value = cells[position]
        if value is not None and value != "":
            from openpyxl.utils import get_column_letter

            raise RosterUnreadable(
                _(
                    "The file has more than %(columns)s columns: this cell is beyond them. Delete the "
                    "columns after column %(last)s and try again."
                )
                % {"columns": MAX_COLUMNS, "last": get_column_letter(MAX_COLUMNS)},
                row=row,
                column=get_column_letter(position + 1),
            )
    return cells[:MAX_COLUMNS]


def _capped(lines: Iterable[Sequence]) -> Iterator[tuple[int, Sequence]]:
    """The rows after the header, numbered as the spreadsheet numbers them, within the caps.

    Empty rows are skipped (the checker would skip them) and count for nothing; the first
    filled row past the cap on rows ends the reading.
    """
    last = max_rows() + 1  # the header is row 1
    for number, cells in enumerate(lines, start=2):
        size = len(cells)
        if cells.count(None) + cells.count("") == size:
            continue
        if number > last:
            raise RosterUnreadable(
                _(
                    "The file has more than %(rows)s rows; split it (by village, for example) and import "
                    "the parts one by one."
                )
                % {"rows": last - 1},
                row=number,
            )
        if size > MAX_COLUMNS:
            cells = _within_columns(cells, number)
        yield number, cells


def _csv_table(data: bytes) -> RosterTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterUnreadable(
            _("The file is neither XLSX nor UTF-8 text: in Excel, save it as “CSV UTF-8” and try again.")
        ) from None
    first_line = text[: MAX_LINE_CHARS + 1].split("\n", 1)[0]
    # Excel writes ';' where the decimal comma is the custom (as in Vietnamese settings).
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(_csv_lines(text), delimiter=delimiter)
    try:
        headers = next(reader, None)
    except csv.Error as error:
        raise _csv_unreadable(error, reader) from None
    if headers is None:
        raise RosterUnreadable(_("The file is empty."))
    return RosterTable(headers=_within_columns(headers, 1), lines=_capped(_csv_rows(reader)))


def _csv_lines(text: str) -> Iterator[str]:
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise RosterUnreadable(
                _(
                    "This line is longer than %(limit)s characters: no roster's row is. Check that this "
                    "is the roster file."
                )
                % {"limit": MAX_LINE_CHARS},
                row=number,
            )
        yield line


def _csv_rows(reader) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as error:
        raise _csv_unreadable(error, reader) from None


def _csv_unreadable(error: csv.Error, reader) -> RosterUnreadable:
    return RosterUnreadable(
        _("The file is not a readable CSV file: %(error)s") % {"error": error}, row=max(1, reader.line_num)
    )


def _xlsx_table(data: bytes) -> RosterTable:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(member.file_size for member in package.infolist())
            if unpacked > MAX_XLSX_UNPACKED_BYTES:
                raise RosterUnreadable(
                    _("The workbook unpacks to more than %(size)s MB; save it again, or split it.")
                    % {"size": MAX_XLSX_UNPACKED_BYTES // 2**20}
                )
            _refuse_more_cells_than_a_roster(package)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, zlib.error, NotImplementedError):
        raise RosterUnreadable(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The sheet's declared size is only its word (see MAX_COLUMNS): read its cells as
        # they are, each row as long as its last cell.
        sheet.reset_dimensions()
    except Exception:  # openpyxl raises many kinds of errors for a damaged or foreign zip
        raise RosterUnreadable(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    lines = sheet.iter_rows(values_only=True)
    try:
        headers = next(lines, None)
        if headers is None:
            raise RosterUnreadable(_("The file is empty."))
        headers = _within_columns(headers, 1)
    except BaseException:
        workbook.close()
        raise
    return RosterTable(
        headers=["" if h is None else str(h) for h in headers], lines=_capped(_xlsx_rows(workbook, lines))
    )


def _refuse_more_cells_than_a_roster(package: zipfile.ZipFile) -> None:
    """RosterUnreadable when the workbook holds more cells or shared strings than
    max_xlsx_cells, counted in its unpacked XML before openpyxl parses any of it."""
    cap = max_xlsx_cells()
    cells, strings = _xlsx_counts(package, cap)
    if strings > cap:
        raise RosterUnreadable(
            _(
                "The workbook holds more than %(cap)s different texts: a file of %(rows)s rows needs "
                "fewer. Check that this is the right file, or copy its rows into a new workbook."
            )
            % {"cap": cap, "rows": max_rows()}
        )
    if cells > cap:
        raise RosterUnreadable(
            _(
                "The workbook holds more than %(cap)s cells: a file of %(rows)s rows needs fewer. Delete "
                "the rows and columns after the table, or copy the table into a new workbook."
            )
            % {"cap": cap, "rows": max_rows()}
        )


def _xlsx_counts(package: zipfile.ZipFile, cap: int) -> tuple[int, int]:
    """At least as many as the cells (`<c>`) and shared strings (`<si>`) of the workbook,
    counting up to just past `cap`.

    Every member is counted, whatever its name (the content types may call any part the
    shared strings). An element may carry a namespace prefix (`<x:c>`) and whitespace may
    follow its name, so "<c" and ":c" are counted, and "<si" and ":si": a few other elements
    ("<col", "<cellXfs") and text (":cần") count too, a few hundred in a workbook, not
    millions; "<" is never part of the text of an XML part. Counting bytes costs about a
    second per 100 MB unpacked, and stops at the cap.
    """
    cells = strings = 0
    for member in package.infolist():
        tail = b""
        with package.open(member) as stream:
            while chunk := stream.read(_COUNTING_CHUNK):
                # The last bytes of the previous chunk, so that a "<si" cut in two is counted
                # once (no match fits in 2 bytes, so none is counted twice).
                text = tail + chunk
                cells += text.count(b"<c") + text.count(b":c")
                strings += text.count(b"<si") + text.count(b":si")
                if cells > cap or strings > cap:
                    return cells, strings
                tail = chunk[-2:]
    return cells, strings


def _xlsx_rows(workbook, lines) -> Iterator[tuple]:
    try:
        yield from lines
    except (RosterUnreadable, GeneratorExit):
        raise
    except Exception:  # a sheet damaged after its first rows: openpyxl's zip and XML errors
        raise RosterUnreadable(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()
