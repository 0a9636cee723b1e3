"""Matching a roster with the register: which stored village, household and resident each row is about.

A village and a household are the stored ones of the same code. A resident is the same
resident when the household code, the full name (compared folded, so NFC, NFD and old- or
new-style tone marks match) and the birth year match, or when the national ID matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext as _

from villages.models import Commune, Household, PastStay, Resident, Village
from villages.roster.checking import CheckedRow, Checker
from villages.roster.columns import AT, RESIDENT_FIELDS

_NATIONAL_ID, _BIRTH_YEAR = AT["national_id"], AT["birth_year"]
# A row with an error in one of these cannot be matched with anyone.
_IDENTITY_FIELDS = frozenset({"household_code", "full_name", "birth_year"})


@dataclass
class Register:
    """The commune's register as plain values, as the import compares it with the file."""

    villages: dict[str, tuple[int, str]]  # code -> (id, name)
    households: dict[str, tuple[int, int, int, Decimal | None]]  # code -> (id, village id, version, distance)
    # (id, version, RESIDENT_FIELDS values with the household's code)
    residents: list[tuple[int, int, tuple]]
    # resident id -> the day their last earlier stay ended (villages.PastStay), for those who moved
    last_stay_ended: dict[int, object] = field(default_factory=dict)

    @property
    def village_code_of(self) -> dict[int, str]:
        return {pk: code for code, (pk, _name) in self.villages.items()}


def register_of(commune: Commune) -> Register:
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
    last_stay_ended = dict(
        PastStay.objects.filter(resident__commune=commune)
        .order_by()
        .values("resident")
        .annotate(last=Max("ended_on"))
        .values_list("resident", "last")
    )
    return Register(villages, households, residents, last_stay_ended)


# What ResidentMatcher.resident_of gives for a row that is not to be planned.
NOT_PLANNED = object()


class ResidentMatcher:
    """Finds the register's resident of each row, in the file's order.

    Each row is one resident of the file and at most one of the register: a row that
    repeats an earlier row's resident, or claims the same stored resident, fails.
    """

    def __init__(self, checker: Checker, residents: list[tuple[int, int, tuple]]):
        self.checker = checker
        self.by_id: dict[str, tuple] = {}
        self.by_key: dict[tuple, list[tuple]] = {}  # (household, folded name, birth year) -> residents
        self.by_name: dict[tuple, list[tuple]] = {}  # (household, folded name) -> residents
        for record in residents:
            values = record[2]
            if values[_NATIONAL_ID]:
                self.by_id[values[_NATIONAL_ID]] = record
            self.by_key.setdefault((values[0], values[2], values[_BIRTH_YEAR]), []).append(record)
            self.by_name.setdefault((values[0], values[2]), []).append(record)
        self.in_file_key: dict[tuple, int] = {}  # (household, folded name, birth year) -> row
        self.in_file_id: dict[str, int] = {}  # ID number -> row
        self.claimed: dict[int, int] = {}  # resident pk -> row

    def resident_of(self, row: CheckedRow) -> tuple | None | object:
        """The stored resident the row is about, None for a new one, or NOT_PLANNED.

        NOT_PLANNED: the row lacks its household or name, has an error, or fails here.
        """
        values = row.values
        if not values[0] or not values[1] or not _IDENTITY_FIELDS.isdisjoint(row.bad):
            return NOT_PLANNED
        key = (values[0], values[2], values[_BIRTH_YEAR])
        if self._repeats_an_earlier_row(row, key) or row.bad:
            return NOT_PLANNED
        record = self._found(row, key)
        if row.bad or (record is not None and self._claimed_twice(row, record)):
            return NOT_PLANNED
        return record

    def _repeats_an_earlier_row(self, row: CheckedRow, key: tuple) -> bool:
        """Whether an earlier row has the same resident (household, name, birth year) or ID number."""
        first = self.in_file_key.setdefault(key, row.row)
        if first != row.row:
            self.checker.fail(
                row,
                "full_name",
                _("The same resident (household, full name and birth year) is already on row %(row)s.")
                % {"row": first},
            )
            return True
        number = row.values[_NATIONAL_ID]
        if number:
            first = self.in_file_id.setdefault(number, row.row)
            if first != row.row:
                self.checker.fail(
                    row,
                    "national_id",
                    _("The ID number %(id)s is also on row %(row)s.") % {"id": number, "row": first},
                )
                return True
        return False

    def _found(self, row: CheckedRow, key: tuple) -> tuple | None:
        """The stored resident of the row, or None; the row fails when the register cannot tell."""
        values = row.values
        # The usual cases first, without a call: a resident new to the register, or one
        # found by name and birth year alone (and by ID number, when given).
        by_number = self.by_id.get(values[_NATIONAL_ID]) if values[_NATIONAL_ID] else None
        candidates = self.by_key.get(key)
        if by_number is None and candidates is None and (values[0], values[2]) not in self.by_name:
            return None
        if candidates is not None and len(candidates) == 1 and by_number in (None, candidates[0]):
            return candidates[0]
        return self._match(row)

    def _claimed_twice(self, row: CheckedRow, record: tuple) -> bool:
        """Whether an earlier row is about the same stored resident."""
        first = self.claimed.setdefault(record[0], row.row)
        if first != row.row:
            self.checker.fail(
                row,
                "full_name",
                _("This row and row %(row)s are the same resident of the register.") % {"row": first},
            )
            return True
        return False

    def _match(self, row: CheckedRow) -> tuple | None:
        """The register's resident this row is about, or None for a new resident."""
        household_code, full_name, folded = row.values[:3]
        year = row.birth_year
        by_number = self.by_id.get(row.national_id) if row.national_id else None
        candidates = self.by_key.get((household_code, folded, year), ())
        if not candidates:
            # One side has no birth year: the name in the household decides, when it is unique.
            same_name = self.by_name.get((household_code, folded), ())
            candidates = [r for r in same_name if year is None or r[2][_BIRTH_YEAR] is None]
        if len(candidates) > 1:
            exact = [r for r in candidates if r[2][1] == full_name]
            candidates = exact if len(exact) == 1 else candidates
        if len(candidates) > 1 and by_number is None:
            self.checker.fail(
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
            self.checker.fail(
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
    stored_year = stored[_BIRTH_YEAR]
    return stored[2] != folded and year is not None and stored_year is not None and stored_year != year
