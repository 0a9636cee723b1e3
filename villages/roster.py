"""The roster import: a commune's spreadsheet of residents, checked whole, then written in one go.

A roster is a CSV (UTF-8, with or without BOM) or XLSX file with one row per resident and a
header row naming the columns (COLUMNS: English or Vietnamese, in any order, case and
diacritics ignored). The import is all or nothing:

1. every row is read and checked in Python against the register's rules (the same rules
   as the model's validators and the database constraints, which stay the backstop), and
   every error is collected as `row N, column C: message`, N being the spreadsheet's row
   number (the header is row 1);
2. each row is matched with the register: a resident is the same resident when the
   household code, the full name (compared folded, so NFC, NFD and old- or new-style
   tone marks match) and the birth year match, or when the national ID matches;
3. only if no row has an error, everything is written in one transaction, and only the
   rows that change: re-importing a file writes nothing.

Choices of ours, documented for officials in the README:
- an empty cell keeps what the register holds (a spreadsheet made months ago must not
  erase what was recorded since); to clear a value, correct it in the register;
- `left_reason` (`ly_do_chuyen_di`) says why a resident left: moved_away or died
  (chuyển đi, chết); a leaving date without a reason means moved away;
- `smartphone_on` (`ngay_co_dien_thoai_thong_minh`) is accepted too, and a masked ID
  number (`********1234`) reads as an empty cell, so that an export of the register
  (villages.exports) imports back unchanged;
- dates are not in the future and not before 1900;
- `distance_km` (`khoang_cach_km`) is the household's one-way distance to the commune's
  one-stop office, in km with at most one decimal (7.5 or 7,5), 0 to 300; the rows of one
  household must not disagree on it (an empty cell agrees with anything);
- residents of the register missing from the file are left as they are;
- a cell that an export wrote with an apostrophe so that it cannot run as a formula
  ("'=Nguyen", villages.spreadsheets) reads without it, so such a name imports back unchanged.

The audit trail: simple-history records the saves of the ORM, which the bulk writes below
bypass. So every household and resident the import creates or changes gets its historical
row here, in the same transaction, with one INSERT ... SELECT of the rows just written per
table and kind ("+" created, "~" changed), the user who confirmed the import and the
reason "roster import".

Speed: 100,000 rows must import in seconds. Django's bulk_create builds one model
instance and compiles every value of every row (about 2 million parameters for a full
roster) and django-import-export works row by row, saving each instance: both are many
times slower than the database itself. So the rows are checked here, in plain Python, and
written as plain tuples: with PostgreSQL's COPY for new rows and UPDATE ... FROM (VALUES)
for changed rows (guarded by each row's version, like Versioned.save_unless_stale), and
with bulk_create / executemany on other databases. The values written are those that
Household.prepare() and Resident.prepare() would give (trimmed code, NFC name, folded
search name, the commune of the parent); tests/test_roster_import.py checks that.
"""

from __future__ import annotations

import csv
import datetime
import gc
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.calendar import FUTURE, commune_today, is_future
from villages.models import EARLIEST_BIRTH_YEAR, MAX_DISTANCE_KM, Commune, Household, Resident, Village
from villages.spreadsheets import typed_text
from villages.text import clean_name, fold

# --- The columns --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str  # the English header, and the field it fills
    vietnamese: str  # the Vietnamese header (the import template's)
    label: str  # what it means, for people
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("village_code", "ma_thon", gettext_lazy("village code"), required=True),
    Column("village_name", "ten_thon", gettext_lazy("village name (required when the village is new)")),
    Column("household_code", "ma_ho", gettext_lazy("household code"), required=True),
    Column("full_name", "ho_ten", gettext_lazy("full name"), required=True),
    Column("relation", "quan_he", gettext_lazy("relation to the head"), aliases=("quan_he_voi_chu_ho",)),
    Column("sex", "gioi_tinh", gettext_lazy("sex")),
    Column("birth_year", "nam_sinh", gettext_lazy("birth year")),
    Column(
        "national_id",
        "so_dinh_danh",
        gettext_lazy("personal ID number"),
        aliases=("so_dinh_danh_ca_nhan", "cccd", "so_cccd", "so_can_cuoc"),
    ),
    Column("phone", "dien_thoai", gettext_lazy("phone"), aliases=("so_dien_thoai",)),
    Column("moved_in_on", "ngay_chuyen_den", gettext_lazy("moved in on")),
    Column("left_on", "ngay_chuyen_di", gettext_lazy("left on (moved away or died)")),
    Column("left_reason", "ly_do_chuyen_di", gettext_lazy("reason for leaving: moved away or died")),
    Column("smartphone_on", "ngay_co_dien_thoai_thong_minh", gettext_lazy("smartphone since")),
    Column("eid_on", "ngay_dinh_danh", gettext_lazy("e-ID activated on")),
    Column("online_on", "ngay_dvc_truc_tuyen", gettext_lazy("first online public service use")),
    Column("level34_on", "ngay_muc_34", gettext_lazy("first level 3/4 online application")),
    # Last, so that files and scripts made for the columns above keep their positions.
    Column(
        "distance_km",
        "khoang_cach_km",
        gettext_lazy("household's one-way distance to the one-stop office, in km (for example 7,5)"),
        aliases=("khoang_cach",),
    ),
)
COLUMN = {column.name: column for column in COLUMNS}
DATE_COLUMNS = ("moved_in_on", "left_on", "smartphone_on", "eid_on", "online_on", "level34_on")
# Columns a spreadsheet often carries that mean nothing to the register: a row number.
IGNORED_HEADERS = frozenset({"stt", "so_thu_tu", "no", "#"})

EARLIEST_DATE = datetime.date(1900, 1, 1)
# What the audit trail says of the rows the import writes (not translated: it is stored).
HISTORY_REASON = "roster import"
# What the preview keeps of created and changed rows; the counts are always complete.
PREVIEW_ROWS = 200
BATCH = 5000


def header_key(text: str) -> str:
    """Headers compare without case, diacritics, spaces or punctuation: "Mã hộ" is ma_ho."""
    return re.sub(r"[^a-z0-9#]", "", fold(text))


_BY_HEADER = {
    header_key(header): column
    for column in COLUMNS
    for header in (column.name, column.vietnamese, *column.aliases)
}
_IGNORED_KEYS = frozenset(header_key(header) for header in IGNORED_HEADERS)

_RELATIONS = {
    **dict.fromkeys(["head", "chu ho", "chu"], Resident.Relation.HEAD),
    **dict.fromkeys(["spouse", "vo", "chong", "vo/chong", "vo chong"], Resident.Relation.SPOUSE),
    **dict.fromkeys(["child", "con", "con trai", "con gai"], Resident.Relation.CHILD),
    **dict.fromkeys(
        ["parent", "bo", "me", "cha", "bo/me", "cha/me", "bo me", "cha me"], Resident.Relation.PARENT
    ),
    **dict.fromkeys(["other", "khac"], Resident.Relation.OTHER),
}
_SEXES = {
    **dict.fromkeys(["m", "male", "nam"], Resident.Sex.MALE),
    **dict.fromkeys(["f", "female", "nu"], Resident.Sex.FEMALE),
}
_LEFT_REASONS = {
    **dict.fromkeys(
        ["moved_away", "moved away", "chuyen di", "da chuyen di"], Resident.LeftReason.MOVED_AWAY
    ),
    **dict.fromkeys(["died", "chet", "mat", "da mat", "qua doi", "tu vong"], Resident.LeftReason.DIED),
}

# The resident's columns the import compares and writes, in this order everywhere below.
RESIDENT_FIELDS = (
    "household",  # a household code while planning, an id when writing
    "full_name",
    "search_name",
    "sex",
    "birth_year",
    "national_id",
    "phone",
    "relation",
    "moved_in_on",
    "left_on",
    "left_reason",
    "smartphone_on",
    "eid_on",
    "online_on",
    "level34_on",
)
_R = {name: i for i, name in enumerate(RESIDENT_FIELDS)}
# The row's values that replace the stored ones when the cell is not empty.
_FROM_ROW = (
    "sex",
    "birth_year",
    "national_id",
    "phone",
    "relation",
    "moved_in_on",
    "left_on",
    "left_reason",
    "smartphone_on",
    "eid_on",
    "online_on",
    "level34_on",
)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# --- Results ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in the file: its spreadsheet row (the header is row 1), column and message."""

    row: int
    column: str
    message: str

    def __str__(self):
        # A fixed, untranslated layout: scripts and checks outside the app read it.
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class RowChange:
    """A resident the file creates or changes, for the preview."""

    row: int
    household_code: str
    full_name: str
    changes: tuple[tuple[str, object, object], ...] = ()  # (label, before, after) of an update


@dataclass
class RosterResult:
    """What an import did, or would do (dry run), or why it refused the file."""

    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    villages: Counts = field(default_factory=Counts)
    households: Counts = field(default_factory=Counts)
    residents: Counts = field(default_factory=Counts)
    created: list[RowChange] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    @property
    def refused_rows(self) -> int:
        return len({error.row for error in self.errors})


class RosterUnreadable(Exception):
    """The file is not a CSV or XLSX roster at all, or it holds more than an import takes.

    `row` and `column` locate the problem when it has a place in the file (a row past the
    cap); otherwise row 1, column "-", as for the file as a whole.
    """

    def __init__(self, message: str, *, row: int = 1, column: str = "-"):
        super().__init__(message)
        self.row = row
        self.column = column


class _Stale(Exception):
    """A row changed between the check and the write."""


Progress = Callable[[str, int, int], None]

# --- Reading the file ---------------------------------------------------------------

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


def max_rows() -> int:
    """The cap on a file's rows (after the header): settings.ROSTER_MAX_ROWS."""
    return settings.ROSTER_MAX_ROWS


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
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise RosterUnreadable(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise RosterUnreadable(
            _("The workbook unpacks to more than %(size)s MB; save it again, or split it.")
            % {"size": MAX_XLSX_UNPACKED_BYTES // 2**20}
        )
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


def _xlsx_rows(workbook, lines) -> Iterator[tuple]:
    try:
        yield from lines
    except (RosterUnreadable, GeneratorExit):
        raise
    except Exception:  # a sheet damaged after its first rows: openpyxl's zip and XML errors
        raise RosterUnreadable(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()


# --- Checking the cells -------------------------------------------------------------


class _Row:
    """One resident row, checked.

    `values` follows RESIDENT_FIELDS (the household as its code); None in it means the
    cell was empty or wrong. `bad` holds the fields with an error.
    """

    __slots__ = ("row", "bad", "village_code", "village_name", "distance", "values")

    def __init__(self, row: int, bad: set[str], village_code, village_name, distance, values: tuple):
        self.row = row
        self.bad = bad
        self.village_code = village_code
        self.village_name = village_name
        self.distance = distance  # the household's, a Decimal or None
        self.values = values

    @property
    def household_code(self) -> str | None:
        return self.values[0]

    @property
    def full_name(self) -> str | None:
        return self.values[1]

    @property
    def folded(self) -> str:
        return self.values[2]

    def __getattr__(self, name):
        return self.values[_R[name]]


def _cell_text(value) -> str:
    """A cell as trimmed NFC text with single spaces (clean_name), numbers without ".0".

    Text that our exports wrote with an apostrophe so that it cannot run as a formula
    ("'=Nguyen") reads as what was typed ("=Nguyen").
    """
    if type(value) is str:
        value = typed_text(value)
        if value.isascii():
            return " ".join(value.split())  # clean_name without the NFC step ASCII does not need
        return clean_name(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime.datetime):
        value = value.date()
    return clean_name(value)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Long enough to recognise the cell, short enough to keep the list of errors readable.
_SHOWN_LENGTH = 40


def _shown(text: str) -> str:
    """A cell as an error message quotes it: control characters written out, long text cut."""
    text = _CONTROL.sub(lambda match: "\\x%02x" % ord(match.group()), text)  # noqa: UP031
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


class _Fail:
    """The outcome of a cell check that failed."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


# The `bad` of a row without errors, shared until its first error.
_CLEAN: frozenset[str] = frozenset()


class _Checker:
    """Checks a file's cells against the register's rules, collecting every error."""

    def __init__(self, headers: list[str], errors: list[RowError]):
        self.errors = errors
        self.index: dict[str, int] = {}
        self.header: dict[str, str] = {}
        self.ignored: list[str] = []
        vietnamese = 0
        for position, raw in enumerate(headers):
            plain = " ".join(str(raw).split())
            key = header_key(plain)
            text = _shown(plain)
            if not key or key in _IGNORED_KEYS:
                if text:
                    self.ignored.append(text)
                continue
            column = _BY_HEADER.get(key)
            if column is None:
                self.error(
                    1, text, _("Unknown column: rename it to one of the template's columns, or remove it.")
                )
                continue
            if column.name in self.index:
                self.error(
                    1,
                    text,
                    _("This column is there twice (also as %(other)s).")
                    % {"other": self.header[column.name]},
                )
                continue
            vietnamese += key == header_key(column.vietnamese)
            self.index[column.name] = position
            self.header[column.name] = text
        # Columns the file does not have are named in the file's language.
        self.vietnamese = vietnamese > len(self.index) / 2
        for column in COLUMNS:
            if column.required and column.name not in self.index:
                self.error(1, self.column_name(column.name), _("This column is missing."))
        self.today = commune_today()  # one day for the whole file
        self.lengths = {
            "village_code": _max_length(Village, "code"),
            "village_name": _max_length(Village, "name"),
            "household_code": _max_length(Household, "code"),
            "full_name": _max_length(Resident, "full_name"),
            "phone": _max_length(Resident, "phone"),
        }
        self.search_length = _max_length(Resident, "search_name")

    def column_name(self, name: str) -> str:
        """The column as the file names it, or as the template would."""
        if name in self.header:
            return self.header[name]
        return COLUMN[name].vietnamese if self.vietnamese else name

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def fail(self, row: _Row, name: str, message: str) -> None:
        if row.bad is _CLEAN:
            row.bad = set()
        row.bad.add(name)
        self.error(row.row, self.column_name(name), message)

    def rows(self, lines: Iterable[tuple[int, Sequence]], progress: Progress | None = None) -> list[_Row]:
        """The file's non-empty rows, checked. Errors go to self.errors and each row's `bad`.

        `lines` are (spreadsheet row, cells), as RosterTable.lines gives them. Only the cells
        of the roster's columns are kept, as each line is read. Each column is then checked
        as a whole: every distinct value once, then the outcomes are mapped back onto the
        rows. A roster repeats itself (the same village, relation, year and dates on many
        rows), which keeps 100,000 rows to about a second.
        """
        checks = {
            "village_code": self.text,
            "village_name": self.text,
            "household_code": self.text,
            "full_name": self.text,
            "phone": self.phone,
            "relation": self.choice,
            "sex": self.choice,
            "left_reason": self.choice,
            "birth_year": self.birth_year,
            "national_id": self.national_id,
            "distance_km": self.distance,
            **dict.fromkeys(DATE_COLUMNS, self.date),
        }
        positions = list(self.index.values())
        if len(positions) > 1:
            pick = itemgetter(*positions)
        else:  # itemgetter of one position gives the cell, not a tuple
            pick = (lambda cells, at=positions[0]: (cells[at],)) if positions else (lambda cells: ())
        width = max(positions, default=-1) + 1
        padding = (None,) * width
        numbers: list[int] = []
        picked: list[tuple] = []
        for number, cells in lines:
            if len(cells) < width:  # a short line: its last cells are empty
                cells = (*cells, *padding[len(cells) :])
            numbers.append(number)
            picked.append(pick(cells))
        count = len(picked)
        # One tuple per column of the roster, in the order of self.index.
        cells_of = dict(zip(self.index, zip(*picked, strict=True), strict=True)) if picked else {}
        nothing = (None,) * count
        failed: dict[int, list[tuple[str, str]]] = {}
        columns: dict[str, list] = {}
        for done, name in enumerate(self.index, start=1):
            cells = cells_of.get(name, nothing)
            check = checks[name]
            outcome = {
                value: None if value is None or value == "" else check(name, value) for value in set(cells)
            }
            wrong = {value for value, checked in outcome.items() if checked.__class__ is _Fail}
            if wrong:
                for i, value in enumerate(cells):
                    if value in wrong:
                        failed.setdefault(i, []).append((name, outcome[value].message))
                outcome.update(dict.fromkeys(wrong))
            columns[name] = list(map(outcome.__getitem__, cells))
            if progress:
                progress("check", count * done // len(self.index), count)

        none = [None] * count
        village_codes = columns.get("village_code", none)
        village_names = columns.get("village_name", none)
        households = columns.get("household_code", none)
        names = columns.get("full_name", none)
        distances = columns.get("distance_km", none)
        rest = [columns.get(name, none) for name in _FROM_ROW]
        folds = {name: fold(name)[: self.search_length] if name else "" for name in set(names)}
        folded = list(map(folds.__getitem__, names))
        values = list(zip(households, names, folded, *rest, strict=True))
        filled = list(map(any, zip(village_codes, village_names, households, names, *rest, strict=True)))
        if "distance_km" in columns:
            # Zero km is a value (a household next to the office): the row is not empty.
            filled = [f or d is not None for f, d in zip(filled, distances, strict=True)]
        kept = [i for i, is_filled in enumerate(filled) if is_filled or i in failed]

        # Errors within a row, found column by column too.
        for name in ("village_code", "household_code", "full_name"):
            if name in self.index:
                column = columns[name]
                for i in [i for i, value in enumerate(column) if value is None]:
                    if (filled[i] or i in failed) and all(n != name for n, _m in failed.get(i, ())):
                        failed.setdefault(i, []).append((name, _("A value is required.")))
        if "left_on" in columns and "moved_in_on" in columns:
            pairs = zip(columns["left_on"], columns["moved_in_on"], strict=True)
            for i in [i for i, (left, moved) in enumerate(pairs) if left and moved and left < moved]:
                failed.setdefault(i, []).append(
                    ("left_on", _("The leaving date is before the moving-in date."))
                )
        bad = {}
        for i, failures in failed.items():
            bad[i] = {name for name, _message in failures}
            for name, message in failures:
                self.error(numbers[i], self.column_name(name), message)
        rows = [
            _Row(numbers[i], bad.get(i, _CLEAN), village_codes[i], village_names[i], distances[i], values[i])
            for i in kept
        ]
        return rows

    # Each check takes a non-empty raw cell and gives the value, None (blank), or a _Fail.

    def text(self, name: str, value) -> str | _Fail | None:
        text = _cell_text(value)
        if not text:
            return None
        if _CONTROL.search(text):
            # PostgreSQL refuses a NUL in text, and no name or code holds a control character.
            return _Fail(
                _("The cell holds a control character (%(character)s): retype it.")
                % {"character": _shown(_CONTROL.search(text).group())}
            )
        limit = self.lengths[name]
        if len(text) > limit:
            return _Fail(
                _("Too long: at most %(limit)s characters, this has %(length)s.")
                % {"limit": limit, "length": len(text)}
            )
        return text

    def phone(self, name: str, value) -> str | _Fail | None:
        text = self.text(name, value)
        if isinstance(value, int | float) and isinstance(text, str) and len(text) == 9:
            # Excel stored the phone number as a number and dropped its leading zero.
            return "0" + text
        return text

    def choice(self, name: str, value) -> str | _Fail | None:
        text = _cell_text(value)
        if not text:
            return None
        choices = {"relation": _RELATIONS, "sex": _SEXES, "left_reason": _LEFT_REASONS}[name]
        found = choices.get(fold(text))
        if found is not None:
            return str(found)
        accepted = {
            "relation": _("head, spouse, child, parent or other (chủ hộ, vợ, chồng, con, bố, mẹ, khác)"),
            "sex": _("M or F (Nam, Nữ)"),
            "left_reason": _("moved_away or died (chuyển đi, chết)"),
        }[name]
        return _Fail(
            _("Unknown value %(value)s: write %(accepted)s.") % {"value": _shown(text), "accepted": accepted}
        )

    def birth_year(self, name: str, value) -> int | _Fail | None:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if re.fullmatch(r"[0-9]{4}(\.0+)?", text):
                value = int(text.split(".")[0])
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
            return _Fail(
                _("%(value)s is not a birth year: write four digits, for example 1985.")
                % {"value": _shown(_cell_text(value))}
            )
        if value > self.today.year:
            return _Fail(_("Birth year %(year)s is in the future.") % {"year": value})
        if value < EARLIEST_BIRTH_YEAR:
            return _Fail(
                _("Birth year %(year)s is before %(earliest)s.")
                % {"year": value, "earliest": EARLIEST_BIRTH_YEAR}
            )
        return value

    def national_id(self, name: str, value) -> str | _Fail | None:
        if type(value) is str and len(value) == 12 and value.isascii() and value.isdigit():
            return value  # the usual case, first
        text = "".join(value.split()) if type(value) is str else "".join(_cell_text(value).split())
        if not text:
            return None
        if _TWELVE_DIGITS.fullmatch(text):
            return text
        if _MASKED.fullmatch(text):
            return None  # a masked number from an export (villages.exports): keep the stored one
        if not text.isdigit():
            return _Fail(
                _("A personal ID number is exactly 12 digits: %(value)s is not.") % {"value": _shown(text)}
            )
        message = _("A personal ID number is exactly 12 digits; this one has %(count)s.") % {
            "count": len(text)
        }
        if isinstance(value, int | float) and len(text) < 12:
            message += " " + _(
                "The cell holds a number, which drops leading zeros: format the column as Text."
            )
        return _Fail(message)

    def date(self, name: str, value) -> datetime.date | _Fail | None:
        if isinstance(value, datetime.datetime):
            day = value.date()
        elif isinstance(value, datetime.date):
            day = value
        else:
            text = _cell_text(value)
            if not text:
                return None
            day = _parse_date(text)
            if isinstance(day, str):
                return _Fail(day)
        if is_future(day, today=self.today):
            return _Fail(str(FUTURE))
        if day < EARLIEST_DATE:
            return _Fail(_("The date %(date)s is before 1900.") % {"date": day.isoformat()})
        return day

    def distance(self, name: str, value) -> Decimal | _Fail | None:
        """Km with at most one decimal, written 7.5 or 7,5 (the Vietnamese decimal comma)."""
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float | Decimal):
            # repr gives a float's shortest form: 7.5 stays 7.5, not 7.4999...
            number = _decimal(repr(value) if isinstance(value, float) else str(value))
        else:
            text = _cell_text(value)
            if not text:
                return None
            number = _decimal(text.replace(",", ".")) if _DISTANCE.fullmatch(text) else None
        if number is None:
            return _Fail(
                _("%(value)s is not a distance: write the km as a number, for example 7,5.")
                % {"value": _shown(_cell_text(value))}
            )
        if number < 0:
            return _Fail(_("A distance cannot be negative."))
        if number > MAX_DISTANCE_KM:
            return _Fail(
                _("%(value)s km is more than %(limit)s km: check the figure.")
                % {"value": _shown(_cell_text(value)), "limit": MAX_DISTANCE_KM}
            )
        if number != number.quantize(_TENTH):
            return _Fail(
                _("%(value)s has more than one decimal: round it to tenths of a km, for example 7,5.")
                % {"value": _shown(_cell_text(value))}
            )
        return number.quantize(_TENTH) + 0  # + 0: "-0" is plain 0.0


_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_DISTANCE = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?")
_TENTH = Decimal("0.1")


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


_MASKED = re.compile(r"\*+[0-9]{4}")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _parse_date(text: str) -> datetime.date | str:
    """The date written as YYYY-MM-DD or DD/MM/YYYY, or the message saying why it is not one."""
    if match := _ISO.fullmatch(text):
        year, month, day = map(int, match.groups())
    elif match := _DMY.fullmatch(text):
        day, month, year = map(int, match.groups())
    else:
        return _("%(value)s is not a date: write YYYY-MM-DD or DD/MM/YYYY.") % {"value": _shown(text)}
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return _("%(value)s is not a date of the calendar.") % {"value": _shown(text)}


# --- Planning against the register --------------------------------------------------


class _Plan:
    """What the file does to the register, computed before anything is written."""

    def __init__(self, commune: Commune):
        self.commune = commune
        self.village_new: dict[str, str] = {}  # code -> name
        self.village_renamed: dict[int, str] = {}  # id -> name
        self.household_new: dict[str, tuple[str, Decimal | None]] = {}  # code -> (village code, distance)
        # (id, version, village code, distance) of the households the file moves or changes
        self.household_changed: list[tuple[int, int, str, Decimal | None]] = []
        self.resident_new: list[tuple] = []  # RESIDENT_FIELDS values
        self.resident_changed: list[tuple[int, int, tuple]] = []  # (id, version, values)


def _register(commune: Commune):
    """The commune's villages, households and residents, as plain values (one query each)."""
    villages = {
        code: (pk, name)
        for pk, code, name in Village.objects.filter(commune=commune).values_list("pk", "code", "name")
    }
    households = {
        code: (pk, village_id, version, distance)
        for pk, code, village_id, version, distance in Household.objects.filter(commune=commune).values_list(
            "pk", "code", "village_id", "version", "distance_km"
        )
    }
    code_of = {pk: code for code, (pk, *_rest) in households.items()}
    columns = ["pk", "version", *(("household_id" if f == "household" else f) for f in RESIDENT_FIELDS)]
    residents = [
        (pk, version, (code_of[household_id], *rest))
        for pk, version, household_id, *rest in Resident.objects.filter(commune=commune)
        .order_by()
        .values_list(*columns)
        .iterator(chunk_size=10000)
    ]
    return villages, households, residents


def _checked(
    table: RosterTable, result: RosterResult, progress: Progress | None
) -> tuple[_Checker, list[_Row]]:
    """The file's rows, read and checked cell by cell; raises RosterUnreadable past a cap."""
    checker = _Checker(table.headers, result.errors)
    result.ignored_columns = checker.ignored
    rows = checker.rows(table.lines, progress)
    result.rows = len(rows)
    if not rows and not result.errors:
        checker.error(2, checker.column_name("full_name"), _("The file has no residents."))
    return checker, rows


def _plan(
    commune: Commune, checker: _Checker, rows: list[_Row], result: RosterResult, progress: Progress | None
) -> _Plan:
    errors = result.errors
    column = checker.column_name
    plan = _Plan(commune)
    villages, households, residents = _register(commune)
    village_code_of = {pk: code for code, (pk, _name) in villages.items()}

    # Villages and households: the first row naming them decides; later rows must agree.
    village_seen: dict[str, tuple[int, str | None]] = {}
    household_seen: dict[str, tuple[int, str]] = {}
    distance_seen: dict[str, tuple[int, Decimal]] = {}  # household code -> (row, distance)
    for row in rows:
        code, name = row.village_code, row.village_name
        if not code:
            continue
        first = village_seen.get(code)
        if first is None or (first[1] is None and name):
            village_seen[code] = (first[0] if first else row.row, name)
        elif name and first[1] != name:
            checker.fail(
                row,
                "village_name",
                _("Village %(code)s is named %(name)s on row %(row)s.")
                % {"code": code, "name": first[1], "row": first[0]},
            )
        household_code = row.values[0]
        if household_code:
            seen = household_seen.get(household_code)
            if seen is None:
                household_seen[household_code] = (row.row, code)
            elif seen[1] != code:
                checker.fail(
                    row,
                    "village_code",
                    _("Household %(household)s is in village %(village)s on row %(row)s.")
                    % {"household": household_code, "village": seen[1], "row": seen[0]},
                )
            if row.distance is not None:
                seen = distance_seen.setdefault(household_code, (row.row, row.distance))
                if seen[1] != row.distance:
                    checker.fail(
                        row,
                        "distance_km",
                        _("Household %(household)s is %(distance)s km away on row %(row)s, %(this)s km here.")
                        % {
                            "household": household_code,
                            "distance": seen[1],
                            "row": seen[0],
                            "this": row.distance,
                        },
                    )
    for code, (first_row, name) in village_seen.items():
        if code in villages:
            pk, stored = villages[code]
            if name and name != stored:
                plan.village_renamed[pk] = name
                result.villages.updated += 1
            else:
                result.villages.unchanged += 1
        elif not name:
            checker.error(
                first_row,
                column("village_name"),
                _("Village %(code)s is new: give its name.") % {"code": code},
            )
        else:
            plan.village_new[code] = name
            result.villages.created += 1
    for code, (_first_row, village_code) in household_seen.items():
        # An empty cell keeps the stored distance, as for the residents' columns.
        given = distance_seen.get(code, (None, None))[1]
        if code in households:
            pk, village_id, version, stored = households[code]
            distance = stored if given is None else given
            if village_code_of.get(village_id) != village_code or distance != stored:
                plan.household_changed.append((pk, version, village_code, distance))
                result.households.updated += 1
            else:
                result.households.unchanged += 1
        else:
            plan.household_new[code] = (village_code, given)
            result.households.created += 1

    # Residents: each row is one resident of the file and at most one of the register.
    by_id: dict[str, tuple] = {}
    by_key: dict[tuple, list[tuple]] = {}
    by_name: dict[tuple, list[tuple]] = {}
    national_id, birth_year = _R["national_id"], _R["birth_year"]
    for record in residents:
        values = record[2]
        if values[national_id]:
            by_id[values[national_id]] = record
        by_key.setdefault((values[0], values[2], values[birth_year]), []).append(record)
        by_name.setdefault((values[0], values[2]), []).append(record)
    in_file_key: dict[tuple, int] = {}
    in_file_id: dict[str, int] = {}
    claimed: dict[int, int] = {}  # resident pk -> row
    identity_fields = {"household_code", "full_name", "birth_year"}
    for done, row in enumerate(rows, start=1):
        if progress and done % 5000 == 0:
            progress("match", done, len(rows))
        values = row.values
        if not values[0] or not values[1] or not identity_fields.isdisjoint(row.bad):
            continue
        key = (values[0], values[2], values[birth_year])
        first = in_file_key.setdefault(key, row.row)
        if first != row.row:
            checker.fail(
                row,
                "full_name",
                _("The same resident (household, full name and birth year) is already on row %(row)s.")
                % {"row": first},
            )
            continue
        if values[national_id]:
            first = in_file_id.setdefault(values[national_id], row.row)
            if first != row.row:
                checker.fail(
                    row,
                    "national_id",
                    _("The ID number %(id)s is also on row %(row)s.")
                    % {"id": values[national_id], "row": first},
                )
                continue
        if row.bad:
            continue
        # The usual cases first, without a call: a resident new to the register, or one
        # found by name and birth year alone (and by ID number, when given).
        by_number = by_id.get(values[national_id]) if values[national_id] else None
        candidates = by_key.get(key)
        if by_number is None and candidates is None and (values[0], values[2]) not in by_name:
            record = None
        elif candidates is not None and len(candidates) == 1 and by_number in (None, candidates[0]):
            record = candidates[0]
        else:
            record = _match(checker, row, by_id, by_key, by_name)
            if row.bad:
                continue
        if record is not None:
            first = claimed.setdefault(record[0], row.row)
            if first != row.row:
                checker.fail(
                    row,
                    "full_name",
                    _("This row and row %(row)s are the same resident of the register.") % {"row": first},
                )
                continue
        _plan_resident(plan, result, checker, row, record)
    if progress:
        progress("match", len(rows), len(rows))
    order = {header: position for position, header in enumerate(checker.header.values())}
    errors.sort(key=lambda error: (error.row, order.get(error.column, len(order))))
    return plan


def _match(checker: _Checker, row: _Row, by_id, by_key, by_name) -> tuple | None:
    """The register's resident this row is about, or None for a new resident."""
    household_code, full_name, folded = row.values[:3]
    year = row.birth_year
    by_number = by_id.get(row.national_id) if row.national_id else None
    candidates = by_key.get((household_code, folded, year), ())
    if not candidates:
        # One side has no birth year: the name in the household decides, when it is unique.
        same_name = by_name.get((household_code, folded), ())
        candidates = [r for r in same_name if year is None or r[2][_R["birth_year"]] is None]
    if len(candidates) > 1:
        exact = [r for r in candidates if r[2][1] == full_name]
        candidates = exact if len(exact) == 1 else candidates
    if len(candidates) > 1 and by_number is None:
        checker.fail(
            row,
            "full_name",
            _(
                "Several residents of household %(household)s have this name and birth year: "
                "give their ID numbers to tell them apart."
            )
            % {"household": household_code},
        )
        return None
    by_name_match = candidates[0] if len(candidates) == 1 else None
    if by_number is not None and (
        (by_name_match is not None and by_number[0] != by_name_match[0])
        or (by_name_match is None and _someone_else(by_number[2], folded, year))
    ):
        other = by_number[2]
        checker.fail(
            row,
            "national_id",
            _(
                "The ID number %(id)s belongs to another resident of the commune: "
                "%(name)s, household %(household)s."
            )
            % {"id": row.national_id, "name": other[1], "household": other[0]},
        )
        return None
    return by_number or by_name_match


def _someone_else(stored: tuple, folded: str, year: int | None) -> bool:
    """Whether a resident found by ID number alone differs in both name and birth year.

    The ID number decides who a row is (a resident may move household or have their name
    corrected), but a row whose name and birth year are both another person's is far more
    likely a mistyped number than a correction: refused rather than renaming someone.
    """
    stored_year = stored[_R["birth_year"]]
    return stored[2] != folded and year is not None and stored_year is not None and stored_year != year


_LABELS = {
    "household": gettext_lazy("household"),
    "full_name": gettext_lazy("full name"),
    "sex": gettext_lazy("sex"),
    "birth_year": gettext_lazy("birth year"),
    "national_id": gettext_lazy("personal ID number"),
    "phone": gettext_lazy("phone"),
    "relation": gettext_lazy("relation to the head"),
    "moved_in_on": gettext_lazy("moved in on"),
    "left_on": gettext_lazy("left on"),
    "left_reason": gettext_lazy("reason for leaving"),
    "smartphone_on": gettext_lazy("smartphone since"),
    "eid_on": gettext_lazy("e-ID since"),
    "online_on": gettext_lazy("first online service use"),
    "level34_on": gettext_lazy("first level 3/4 application"),
}
# A new resident's stored values: blank text, no dates.
_EMPTY = (None, "", "", "", None, "", "", "", None, None, "", None, None, None, None)
_LEFT_ON, _MOVED_IN_ON, _LEFT_REASON = _R["left_on"], _R["moved_in_on"], _R["left_reason"]
_ONLINE_ON, _LEVEL34_ON = _R["online_on"], _R["level34_on"]


def _plan_resident(plan: _Plan, result: RosterResult, checker: _Checker, row: _Row, record) -> None:
    """Merge the row into the stored resident (an empty cell keeps the stored value) and compare."""
    stored = record[2] if record is not None else _EMPTY
    values = [given if given is not None else kept for given, kept in zip(row.values, stored, strict=True)]
    left_on = values[_LEFT_ON]
    if left_on and not values[_LEFT_REASON]:
        values[_LEFT_REASON] = Resident.LeftReason.MOVED_AWAY.value
    if values[_LEFT_REASON] and not left_on:
        checker.fail(row, "left_reason", _("Give the date the resident left or died."))
        return
    if left_on and values[_MOVED_IN_ON] and left_on < values[_MOVED_IN_ON]:
        checker.fail(row, "left_on", _("The leaving date is before the moving-in date."))
        return
    # A level 3/4 application is an online use: online use began then at the latest.
    level34, online = values[_LEVEL34_ON], values[_ONLINE_ON]
    if level34 and (online is None or online > level34):
        values[_ONLINE_ON] = level34
    values = tuple(values)
    if record is None:
        plan.resident_new.append(values)
        result.residents.created += 1
        if len(result.created) < PREVIEW_ROWS:
            result.created.append(RowChange(row.row, values[0], values[1]))
    elif values == stored:
        result.residents.unchanged += 1
    else:
        plan.resident_changed.append((record[0], record[1], values))
        result.residents.updated += 1
        if len(result.updated) < PREVIEW_ROWS:
            changes = tuple(
                (_LABELS[name], before, after)
                for name, before, after in zip(RESIDENT_FIELDS, stored, values, strict=True)
                if before != after and name != "search_name"
            )
            result.updated.append(RowChange(row.row, values[0], values[1], changes))


# --- Writing ------------------------------------------------------------------------


def _write(plan: _Plan, progress: Progress | None, user_id: int | None) -> None:
    commune = plan.commune
    commune_id = commune.pk
    total = len(plan.resident_new) + len(plan.resident_changed)
    if plan.village_new:
        Village.objects.bulk_create(
            [Village(commune=commune, code=code, name=name) for code, name in plan.village_new.items()]
        )
    for pk, name in plan.village_renamed.items():
        Village.objects.filter(pk=pk).update(name=name)
    village_ids = dict(Village.objects.filter(commune=commune).values_list("code", "pk"))

    household_created = _insert(
        Household,
        [
            "commune_id",
            "village_id",
            "code",
            "address",
            "phone",
            "has_smartphone",
            "has_internet",
            "distance_km",
            "version",
        ],
        [
            (commune_id, village_ids[village], code, "", "", False, False, distance, 1)
            for code, (village, distance) in plan.household_new.items()
        ],
    )
    _update(
        Household,
        ["village_id", "distance_km"],
        [
            (pk, version, (village_ids[village], distance))
            for pk, version, village, distance in plan.household_changed
        ],
    )
    household_ids = dict(Household.objects.filter(commune=commune).values_list("code", "pk"))

    columns = [
        "commune_id",
        "version",
        *(("household_id" if f == "household" else f) for f in RESIDENT_FIELDS),
    ]
    resident_created: list[int] = []
    written = 0
    for start in range(0, len(plan.resident_new), BATCH * 4):
        batch = plan.resident_new[start : start + BATCH * 4]
        resident_created += _insert(
            Resident, columns, [(commune_id, 1, household_ids[v[0]], *v[1:]) for v in batch]
        )
        written += len(batch)
        if progress:
            progress("write", written, total)
    for start in range(0, len(plan.resident_changed), BATCH):
        batch = plan.resident_changed[start : start + BATCH]
        _update(
            Resident,
            columns[2:],
            [(pk, version, (household_ids[v[0]], *v[1:])) for pk, version, v in batch],
        )
        written += len(batch)
        if progress:
            progress("write", written, total)

    when = timezone.now()
    _record_history(Household, "+", household_created, user_id, when)
    _record_history(Household, "~", [pk for pk, *_rest in plan.household_changed], user_id, when)
    _record_history(Resident, "+", resident_created, user_id, when)
    _record_history(Resident, "~", [pk for pk, _version, _values in plan.resident_changed], user_id, when)


def _insert(model, columns: list[str], rows: list[tuple]) -> list[int]:
    """Insert rows of plain values and give their ids; COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        # COPY tells no ids: take them from the table's sequence first, so that the audit
        # trail (and nothing else) can find exactly these rows again.
        with connection.cursor() as cursor:
            # The sequence's name once: pg_get_serial_sequence() on each row is 5 times slower.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [cursor.fetchone()[0], len(rows)]
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        _copy(model, ["id", *columns], [(pk, *values) for pk, values in zip(ids, rows, strict=True)])
        return ids
    objects = []
    for values in rows:
        obj = model(**dict(zip(columns, values, strict=True)))
        objects.append(obj)
    model.objects.bulk_create(objects, batch_size=500)
    ids = [obj.pk for obj in objects]
    if None in ids:  # a database that cannot return the ids of a bulk insert (SQLite < 3.35)
        raise NotImplementedError("the roster import needs the ids of the rows it inserts")
    return ids


def _record_history(model, kind: str, ids: list[int], user_id: int | None, when: datetime.datetime) -> None:
    """The audit trail's rows for the `ids` just written, as simple-history's save would write them.

    One INSERT ... SELECT copies the tracked columns of the written rows, so that the history
    holds exactly what the register holds (the values prepared above, the bumped version
    excluded as simple-history excludes it).
    """
    if not ids:
        return
    historical = model.history.model
    quote = connection.ops.quote_name
    tracked = ", ".join(quote(f.column) for f in historical.tracked_fields)
    sql = (
        "INSERT INTO {history} ({tracked}, history_date, history_change_reason, history_type, "
        "history_user_id) SELECT {tracked}, %s, %s, %s, %s FROM {table} WHERE id {where}"
    )
    date = historical._meta.get_field("history_date").get_db_prep_value(when, connection)
    params = [date, HISTORY_REASON, kind, user_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                sql.format(
                    history=quote(historical._meta.db_table),
                    tracked=tracked,
                    table=quote(model._meta.db_table),
                    where="= ANY(%s::bigint[])",
                ),
                # One array literal: parsed far faster than an ARRAY[...] of 100,000 parameters.
                [*params, "{" + ",".join(map(str, ids)) + "}"],
            )
            return
        # Within the limit of parameters of every SQLite build.
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            cursor.execute(
                sql.format(
                    history=quote(historical._meta.db_table),
                    tracked=tracked,
                    table=quote(model._meta.db_table),
                    where="IN ({})".format(", ".join(["%s"] * len(chunk))),
                ),
                [*params, *chunk],
            )


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    # CSV, so that the csv module (in C) writes the rows. An unquoted empty value is NULL
    # in CSV COPY: the text columns, never NULL in the register, read it as "" instead.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    quote = connection.ops.quote_name
    texts = [c for c in columns if model._meta.get_field(c).get_internal_type() in ("CharField", "TextField")]
    sql = "COPY {} ({}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({}))".format(
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(quote(c) for c in texts)
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, buffer)
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(buffer.getvalue())


def _update(model, columns: list[str], rows: list[tuple[int, int, tuple]]) -> None:
    """Set `columns` of each (pk, version, values) row and bump its version.

    A row whose version moved on since it was read is not written and raises _Stale, so
    that the whole import is rolled back rather than overwrite someone's change.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        types = [model._meta.get_field(c).db_type(connection) for c in columns]
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            placeholder = "(%s::bigint, %s::integer, {})".format(", ".join(f"%s::{t}" for t in types))
            sql = "UPDATE {table} AS t SET {sets}, version = t.version + 1 FROM (VALUES {values}) AS v (id, version, {names}) WHERE t.id = v.id AND t.version = v.version".format(  # noqa: E501
                table=table,
                sets=", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns),
                values=", ".join([placeholder] * len(batch)),
                names=", ".join(quote(c) for c in columns),
            )
            params = [value for pk, version, values in batch for value in (pk, version, *values)]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                if cursor.rowcount != len(batch):
                    raise _Stale
        return
    sql = "UPDATE {table} SET {sets}, version = version + 1 WHERE id = %s AND version = %s".format(
        table=table, sets=", ".join(f"{quote(c)} = %s" for c in columns)
    )
    params = [
        [
            model._meta.get_field(c).get_db_prep_save(v, connection)
            for c, v in zip(columns, values, strict=True)
        ]
        + [pk, version]
        for pk, version, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        if cursor.rowcount != len(rows):
            raise _Stale


# --- The import ---------------------------------------------------------------------


def roster_import(
    *,
    commune: Commune,
    source,
    dry_run: bool = False,
    progress: Progress | None = None,
    user=None,
) -> RosterResult:
    """Check a roster file and, unless it has errors or this is a dry run, write it.

    All or nothing: with any error, `result.errors` lists every one (sorted by row) and
    nothing is saved. The counts say what was (or, in a dry run or a refusal, would be)
    created, updated and left unchanged. `progress(phase, done, total)` is called as
    rows are checked ("check"), compared with the register ("match") and written ("write").
    Every household and resident written gets its row in the audit trail, in `user`'s
    name (None: no one, as from the command line).
    """
    user_id = user.pk if user is not None and user.is_authenticated else None
    with _without_cycle_collection():
        return _roster_import(commune, source, dry_run, progress, user_id)


@contextmanager
def _without_cycle_collection():
    """Pause Python's cycle collector: an import allocates millions of small tuples and no
    reference cycles, and the collector would scan them again and again (a third of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _roster_import(commune, source, dry_run, progress, user_id) -> RosterResult:
    result = RosterResult()
    # Read and checked before the commune is locked below: the file alone decides this part.
    try:
        checker, rows = _checked(roster_table(source), result, progress)
    except RosterUnreadable as error:
        # The file was not read to its end: what was found before the cap is not the story.
        return RosterResult(errors=[RowError(error.row, error.column, str(error))])
    if dry_run:
        _plan(commune, checker, rows, result, progress)
        return result
    try:
        with transaction.atomic():
            # One import per commune at a time: the second waits, then sees the first's rows.
            Commune.objects.select_for_update().filter(pk=commune.pk).first()
            plan = _plan(commune, checker, rows, result, progress)
            if result.errors:
                return result
            _write(plan, progress, user_id)
    except _Stale:
        result.errors.append(
            RowError(
                1,
                "-",
                _("The register changed while the file was being imported: nothing was saved. Try again."),
            )
        )
        return result
    except IntegrityError as error:
        # The database's constraints are the backstop of the checks above.
        result.errors.append(
            RowError(
                1, "-", _("The database refused the file, nothing was saved: %(error)s") % {"error": error}
            )
        )
        return result
    result.saved = True
    return result


def roster_template_rows() -> tuple[list[str], list[list]]:
    """The import template's Vietnamese headers and its example row."""
    headers = [column.vietnamese for column in COLUMNS]
    example = {
        "village_code": "NK",
        "village_name": "Nà Khau",
        "household_code": "NK-001",
        "full_name": "Nông Thị Hoa",
        "relation": "chủ hộ",
        "sex": "Nữ",
        "birth_year": 1985,
        "national_id": "004185000123",
        "phone": "0912345678",
        "moved_in_on": None,
        "left_on": None,
        "left_reason": None,
        "smartphone_on": datetime.date(2023, 3, 1),
        "eid_on": datetime.date(2024, 5, 20),
        "online_on": datetime.date(2024, 6, 3),
        "level34_on": datetime.date(2024, 9, 12),
        "distance_km": 7.5,
    }
    return headers, [[example[column.name] for column in COLUMNS]]
