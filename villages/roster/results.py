"""What a roster import reports: every error with its place, the counts, and the preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# What the preview keeps of created and changed rows; the counts are always complete.
PREVIEW_ROWS = 200

# progress(phase, done, total): "check", "match" or "write".
Progress = Callable[[str, int, int], None]


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
    # Of the residents updated, those who moved to another household of the commune or came
    # back to it, with what changed in the preview.
    moved: int = 0
    moves: list[RowChange] = field(default_factory=list)
    # Residents the file brings in who live, or lived, in another commune of the province
    # (villages.between_communes): arrivals (their stay there ends, their ladder travels) and
    # conflicts (both stays remain, for the officials to settle); each change is
    # (that commune's name, moved in there, left there).
    arrived: int = 0
    arrivals: list[RowChange] = field(default_factory=list)
    conflicted: int = 0
    conflicts: list[RowChange] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    @property
    def refused_rows(self) -> int:
        return len({error.row for error in self.errors})
