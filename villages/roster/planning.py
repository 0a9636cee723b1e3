"""Planning a roster import: what the file does to the register, decided before anything is written.

The first row naming a village or a household decides its name, village and distance;
later rows must agree. An empty cell keeps what the register holds.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.models import Commune, Resident, departure_problem
from villages.roster.checking import CheckedRow, Checker
from villages.roster.columns import AT, RESIDENT_FIELDS
from villages.roster.matching import NOT_PLANNED, Register, ResidentMatcher, register_of
from villages.roster.results import PREVIEW_ROWS, Progress, RosterResult, RowChange


class Plan:
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


def plan_import(
    commune: Commune,
    checker: Checker,
    rows: list[CheckedRow],
    result: RosterResult,
    progress: Progress | None,
) -> Plan:
    """The plan of the checked rows against the commune's register, as it stands.

    Every error found here goes to the checker; `result` gets the counts and the preview.
    """
    plan = Plan(commune)
    register = register_of(commune)
    named = [row for row in rows if row.village_code]
    village_names = _village_names(checker, named)
    household_villages, household_distances = _households(checker, named)
    _plan_villages(plan, result, checker, register, village_names)
    _plan_households(plan, result, register, household_villages, household_distances)
    _plan_residents(plan, result, checker, register, rows, progress)
    checker.sort_errors()
    return plan


def _village_names(checker: Checker, rows: list[CheckedRow]) -> dict[str, tuple[int, str | None]]:
    """Each village's first row and name: the first row that names it decides, later names must agree."""
    seen: dict[str, tuple[int, str | None]] = {}
    for row in rows:
        code, name = row.village_code, row.village_name
        first = seen.get(code)
        if first is None or (first[1] is None and name):
            seen[code] = (first[0] if first else row.row, name)
        elif name and first[1] != name:
            checker.fail(
                row,
                "village_name",
                _("Village %(code)s is named %(name)s on row %(row)s.")
                % {"code": code, "name": first[1], "row": first[0]},
            )
    return seen


def _households(
    checker: Checker, rows: list[CheckedRow]
) -> tuple[dict[str, tuple[int, str]], dict[str, tuple[int, Decimal]]]:
    """Each household's village and distance, with the first row giving each.

    A household is in one village, and its rows must not disagree on its distance (an
    empty cell agrees with anything).
    """
    villages: dict[str, tuple[int, str]] = {}
    distances: dict[str, tuple[int, Decimal]] = {}
    for row in rows:
        household_code = row.values[0]
        if not household_code:
            continue
        first = villages.setdefault(household_code, (row.row, row.village_code))
        if first[1] != row.village_code:
            checker.fail(
                row,
                "village_code",
                _("Household %(household)s is in village %(village)s on row %(row)s.")
                % {"household": household_code, "village": first[1], "row": first[0]},
            )
        if row.distance is None:
            continue
        first = distances.setdefault(household_code, (row.row, row.distance))
        if first[1] != row.distance:
            checker.fail(
                row,
                "distance_km",
                _("Household %(household)s is %(distance)s km away on row %(row)s, %(this)s km here.")
                % {"household": household_code, "distance": first[1], "row": first[0], "this": row.distance},
            )
    return villages, distances


def _plan_villages(
    plan: Plan,
    result: RosterResult,
    checker: Checker,
    register: Register,
    names: dict[str, tuple[int, str | None]],
) -> None:
    """A stored village is renamed when the file names it otherwise; a new village needs a name."""
    for code, (first_row, name) in names.items():
        if code in register.villages:
            pk, stored = register.villages[code]
            if name and name != stored:
                plan.village_renamed[pk] = name
                result.villages.updated += 1
            else:
                result.villages.unchanged += 1
        elif not name:
            checker.error(
                first_row,
                checker.column_name("village_name"),
                _("Village %(code)s is new: give its name.") % {"code": code},
            )
        else:
            plan.village_new[code] = name
            result.villages.created += 1


def _plan_households(
    plan: Plan,
    result: RosterResult,
    register: Register,
    villages: dict[str, tuple[int, str]],
    distances: dict[str, tuple[int, Decimal]],
) -> None:
    """A stored household changes when the file moves it to another village or gives another distance."""
    village_code_of = register.village_code_of
    for code, (_first_row, village_code) in villages.items():
        # An empty cell keeps the stored distance, as for the residents' columns.
        given = distances.get(code, (None, None))[1]
        if code in register.households:
            pk, village_id, version, stored = register.households[code]
            distance = stored if given is None else given
            if village_code_of.get(village_id) != village_code or distance != stored:
                plan.household_changed.append((pk, version, village_code, distance))
                result.households.updated += 1
            else:
                result.households.unchanged += 1
        else:
            plan.household_new[code] = (village_code, given)
            result.households.created += 1


def _plan_residents(
    plan: Plan,
    result: RosterResult,
    checker: Checker,
    register: Register,
    rows: list[CheckedRow],
    progress: Progress | None,
) -> None:
    """Each row's resident, new or stored, merged with the row."""
    matcher = ResidentMatcher(checker, register.residents)
    for done, row in enumerate(rows, start=1):
        if progress and done % 5000 == 0:
            progress("match", done, len(rows))
        record = matcher.resident_of(row)
        if record is not NOT_PLANNED:
            _plan_resident(plan, result, checker, row, record)
    if progress:
        progress("match", len(rows), len(rows))


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
_LEFT_ON, _MOVED_IN_ON, _LEFT_REASON = AT["left_on"], AT["moved_in_on"], AT["left_reason"]
_ONLINE_ON, _LEVEL34_ON = AT["online_on"], AT["level34_on"]


def _plan_resident(plan: Plan, result: RosterResult, checker: Checker, row: CheckedRow, record) -> None:
    """The row merged into the stored resident (or a new one), planned when it changes anything."""
    stored = record[2] if record is not None else _EMPTY
    values = _merged(checker, row, stored)
    if values is None:
        return
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


def _merged(checker: Checker, row: CheckedRow, stored: tuple) -> tuple | None:
    """The resident's values after the row (an empty cell keeps the stored value), or None if they
    break a rule between fields (the row fails)."""
    values = [given if given is not None else kept for given, kept in zip(row.values, stored, strict=True)]
    # A roster's leaving date without a reason means the resident moved away (README, Import):
    # paper rosters have a "ngày chuyển đi" column and no reason.
    if values[_LEFT_ON] and not values[_LEFT_REASON]:
        values[_LEFT_REASON] = Resident.LeftReason.MOVED_AWAY.value
    problem = departure_problem(
        moved_in_on=values[_MOVED_IN_ON], left_on=values[_LEFT_ON], left_reason=values[_LEFT_REASON]
    )
    if problem:
        checker.fail(row, *problem)
        return None
    # A level 3/4 application is an online use: online use began then at the latest.
    level34, online = values[_LEVEL34_ON], values[_ONLINE_ON]
    if level34 and (online is None or online > level34):
        values[_ONLINE_ON] = level34
    return tuple(values)
