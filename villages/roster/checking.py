"""Checking a roster: its header, then every row cell by cell, collecting every error with its place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter

from django.utils.translation import gettext as _

from softbridge.text import fold
from villages.roster.cells import CellRules, Fail, shown
from villages.roster.columns import AT, BY_HEADER, COLUMN, COLUMNS, FROM_ROW, IGNORED_KEYS, header_key
from villages.roster.reading import RosterTable
from villages.roster.results import Progress, RosterResult, RowError

# The `bad` of a row without errors, shared until its first error.
_CLEAN: frozenset[str] = frozenset()
# The columns that every filled row must have.
_REQUIRED_IN_ROW = ("village_code", "household_code", "full_name")


class CheckedRow:
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
        return self.values[AT[name]]


def checked_rows(
    table: RosterTable, result: RosterResult, progress: Progress | None
) -> tuple[Checker, list[CheckedRow]]:
    """The file's rows, read and checked cell by cell; raises RosterUnreadable past a cap."""
    checker = Checker(table.headers, result.errors)
    result.ignored_columns = checker.ignored
    rows = checker.rows(table.lines, progress)
    result.rows = len(rows)
    if not rows and not result.errors:
        checker.error(2, checker.column_name("full_name"), _("The file has no residents."))
    return checker, rows


class Checker:
    """Checks a file's cells against the register's rules, collecting every error."""

    def __init__(self, headers: list[str], errors: list[RowError]):
        self.errors = errors
        self.index: dict[str, int] = {}  # column name -> position in the file
        self.header: dict[str, str] = {}  # column name -> the file's header, as shown
        self.ignored: list[str] = []
        vietnamese = 0
        for position, raw in enumerate(headers):
            plain = " ".join(str(raw).split())
            key = header_key(plain)
            text = shown(plain)
            if not key or key in IGNORED_KEYS:
                if text:
                    self.ignored.append(text)
                continue
            column = BY_HEADER.get(key)
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
        self.cells = CellRules()

    def column_name(self, name: str) -> str:
        """The column as the file names it, or as the template would."""
        if name in self.header:
            return self.header[name]
        return COLUMN[name].vietnamese if self.vietnamese else name

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def fail(self, row: CheckedRow, name: str, message: str) -> None:
        if row.bad is _CLEAN:
            row.bad = set()
        row.bad.add(name)
        self.error(row.row, self.column_name(name), message)

    def sort_errors(self) -> None:
        """The errors by row, and within a row in the order of the file's columns."""
        order = {header: position for position, header in enumerate(self.header.values())}
        self.errors.sort(key=lambda error: (error.row, order.get(error.column, len(order))))

    def rows(
        self, lines: Iterable[tuple[int, Sequence]], progress: Progress | None = None
    ) -> list[CheckedRow]:
        """The file's non-empty rows, checked. Errors go to self.errors and each row's `bad`.

        `lines` are (spreadsheet row, cells), as RosterTable.lines gives them. Only the cells
        of the roster's columns are kept, as each line is read. Each column is then checked
        as a whole: every distinct value once, then the outcomes are mapped back onto the
        rows. A roster repeats itself (the same village, relation, year and dates on many
        rows), which keeps 100,000 rows to about a second.
        """
        numbers, picked = self._picked(lines)
        count = len(picked)
        # failed: the position of each row with an error -> its (column name, message)s
        columns, failed = self._checked_columns(picked, progress)

        none = [None] * count
        village_codes = columns.get("village_code", none)
        village_names = columns.get("village_name", none)
        households = columns.get("household_code", none)
        names = columns.get("full_name", none)
        distances = columns.get("distance_km", none)
        rest = [columns.get(name, none) for name in FROM_ROW]
        search_length = self.cells.search_length
        folds = {name: fold(name)[:search_length] if name else "" for name in set(names)}
        folded = list(map(folds.__getitem__, names))
        values = list(zip(households, names, folded, *rest, strict=True))
        filled = list(map(any, zip(village_codes, village_names, households, names, *rest, strict=True)))
        if "distance_km" in columns:
            # Zero km is a value (a household next to the office): the row is not empty.
            filled = [f or d is not None for f, d in zip(filled, distances, strict=True)]
        kept = [i for i, is_filled in enumerate(filled) if is_filled or i in failed]
        self._check_within_rows(columns, filled, failed)

        bad = {}
        for i, failures in failed.items():
            bad[i] = {name for name, _message in failures}
            for name, message in failures:
                self.error(numbers[i], self.column_name(name), message)
        return [
            CheckedRow(
                numbers[i], bad.get(i, _CLEAN), village_codes[i], village_names[i], distances[i], values[i]
            )
            for i in kept
        ]

    def _picked(self, lines: Iterable[tuple[int, Sequence]]) -> tuple[list[int], list[tuple]]:
        """The spreadsheet row of each line, and its cells of the roster's columns (in self.index's order)."""
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
        return numbers, picked

    def _checked_columns(
        self, picked: list[tuple], progress: Progress | None
    ) -> tuple[dict[str, list], dict[int, list[tuple[str, str]]]]:
        """Each column's values (None for an empty or wrong cell), and the failures of each row."""
        count = len(picked)
        # One tuple per column of the roster, in the order of self.index.
        cells_of = dict(zip(self.index, zip(*picked, strict=True), strict=True)) if picked else {}
        nothing = (None,) * count
        failed: dict[int, list[tuple[str, str]]] = {}
        columns: dict[str, list] = {}
        for done, name in enumerate(self.index, start=1):
            cells = cells_of.get(name, nothing)
            check = self.cells.of_column[name]
            outcome = {
                value: None if value is None or value == "" else check(name, value) for value in set(cells)
            }
            wrong = {value for value, checked in outcome.items() if checked.__class__ is Fail}
            if wrong:
                for i, value in enumerate(cells):
                    if value in wrong:
                        failed.setdefault(i, []).append((name, outcome[value].message))
                outcome.update(dict.fromkeys(wrong))
            columns[name] = list(map(outcome.__getitem__, cells))
            if progress:
                progress("check", count * done // len(self.index), count)
        return columns, failed

    def _check_within_rows(
        self, columns: dict[str, list], filled: list[bool], failed: dict[int, list[tuple[str, str]]]
    ) -> None:
        """The errors within a row (a required cell empty, leaving before moving in), column by column too."""
        for name in _REQUIRED_IN_ROW:
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
