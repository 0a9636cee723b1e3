"""A table as the report pages show it and the exports write it: its columns and its rows.

Cells hold raw values (ints, shares as fractions rounded to 4 decimals, changes in percentage
points, None for "no figure"); templates and exports format them by the column's kind. The
report tables (reports.tables, reports.official_tables, reports.province_tables) are built
from these two classes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # int, text, share, change (percentage points), flags


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    note: str = ""
    # The column that names each row (a month, a village): the row's header cell, which
    # stays in view while a wide table scrolls sideways. By default the first, if text.
    names_rows: str | None = None
    # At a phone's width each row stands as a card (static/css/tables.css): its name and the
    # headline first, every other cell under them with its column's label, nothing to scroll.
    stacked: bool = False

    @property
    def row_header(self) -> str | None:
        if self.names_rows is not None:
            return self.names_rows
        first = self.columns[0] if self.columns else None
        return first.key if first is not None and first.kind == "text" else None

    def cells(self) -> list[list[tuple]]:
        """The rows as (value, kind) pairs, for templates."""
        return [[(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]

    def column_values(self, key: str) -> list:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]
