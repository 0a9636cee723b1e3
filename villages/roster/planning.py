"""Planning a roster import: what the file does to the register, decided before anything is written.

The first row naming a village or a household decides its name, village and distance;
later rows must agree. An empty cell keeps what the register holds.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from softbridge.calendar import date_refusal
from softbridge.text import identifier_key
from villages.between_communes import arrivals_foreseen
from villages.models import (
    Commune,
    LadderStep,
    PastStay,
    Resident,
    departure_problem,
    ladder_date_problems,
    online_from,
)
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
        # The stays the file's moves and returns close (villages.PastStay): (resident id,
        # household code, relation, started on, ended on, ended by).
        self.stays_new: list[tuple] = []
        # household code -> the heads it will have: (resident id or None, row or None, name)
        self.heads: dict[str, list[tuple]] = {}
        self.matched: set[int] = set()  # the stored residents the file names
        # (row, values) of the residents the file brings in (new, or back after leaving) with
        # an ID number: maybe arrivals from another commune (villages.between_communes).
        self.arriving: list[tuple[int, tuple]] = []


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
    _same_household_codes(register, rows)
    named = [row for row in rows if row.village_code]
    village_names = _village_names(checker, named)
    household_villages, household_distances = _households(checker, named)
    _plan_villages(plan, result, checker, register, village_names)
    _plan_households(plan, result, register, household_villages, household_distances)
    _plan_residents(plan, result, checker, register, rows, progress)
    _plan_arrivals(plan, result)
    _check_heads(plan, checker, register)
    checker.sort_errors()
    return plan


def _same_household_codes(register: Register, rows: list[CheckedRow]) -> None:
    """Spell each row's household code as the register (or else the file's first row) spells
    the same code: codes are unique whatever their case (softbridge.text.identifier_key), so
    "nk-001" in the file is the stored household NK-001, not a new one."""
    spelling = {identifier_key(code): code for code in register.households}
    for row in rows:
        code = row.values[0]
        if code:
            row.values = (spelling.setdefault(identifier_key(code), code), *row.values[1:])


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
            _plan_resident(plan, result, checker, row, record, register)
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
_RELATION, _BIRTH_YEAR = AT["relation"], AT["birth_year"]
_NATIONAL_ID = AT["national_id"]
_LADDER = tuple(step.field for step in LadderStep)
# The dates that may not fall before the birth year: the ladder and the departure.
_BEFORE_BIRTH = tuple(AT[name] for name in (*_LADDER, "left_on"))


def _plan_resident(
    plan: Plan, result: RosterResult, checker: Checker, row: CheckedRow, record, register: Register
) -> None:
    """The row merged into the stored resident (or a new one), planned when it changes anything.

    A stored resident whose row names another household, or who had moved away and whose row
    says they moved in after that, moved there (or came back) on the row's moving-in date:
    their stay closes into an earlier one (villages.PastStay), as villages.services.resident_move
    records it; they are counted among the residents updated, and as moved.
    """
    stored = record[2] if record is not None else _EMPTY
    move = _move_of(checker, row, record) if record is not None else None
    if move is False:
        return
    basis = stored
    if move is not None:
        basis = list(stored)
        basis[_LEFT_ON], basis[_LEFT_REASON] = None, ""
        if row.values[_RELATION] is None and stored[_RELATION] == Resident.Relation.HEAD:
            basis[_RELATION] = Resident.Relation.OTHER  # the household they join has its head
        basis = tuple(basis)
    values = _merged(checker, row, stored, basis, register.last_stay_ended.get(record[0]) if record else None)
    if values is None:
        return
    if record is not None:
        plan.matched.add(record[0])
    if values[_RELATION] == Resident.Relation.HEAD and values[_LEFT_ON] is None:
        plan.heads.setdefault(values[0], []).append((record[0] if record else None, row.row, values[1]))
    if values[_NATIONAL_ID] and values[_LEFT_ON] is None and (record is None or stored[_LEFT_ON]):
        plan.arriving.append((row.row, values))
    if record is None:
        plan.resident_new.append(values)
        result.residents.created += 1
        if len(result.created) < PREVIEW_ROWS:
            result.created.append(RowChange(row.row, values[0], values[1]))
    elif values == stored:
        result.residents.unchanged += 1
    else:
        plan.resident_changed.append((record[0], record[1], values))
        changes = tuple(
            (_LABELS[name], before, after)
            for name, before, after in zip(RESIDENT_FIELDS, stored, values, strict=True)
            if before != after and name != "search_name"
        )
        if move is not None:
            plan.stays_new.append(
                (
                    record[0],
                    stored[0],
                    stored[_RELATION],
                    stored[_MOVED_IN_ON],
                    stored[_LEFT_ON] or values[_MOVED_IN_ON],
                    PastStay.End.MOVED_AWAY if stored[_LEFT_ON] else PastStay.End.MOVED,
                )
            )
            result.moved += 1
            result.residents.updated += 1
            if len(result.moves) < PREVIEW_ROWS:
                result.moves.append(RowChange(row.row, values[0], values[1], changes))
            return
        result.residents.updated += 1
        if len(result.updated) < PREVIEW_ROWS:
            result.updated.append(RowChange(row.row, values[0], values[1], changes))


def _move_of(checker: Checker, row: CheckedRow, record) -> bool | None:
    """Whether the row moves its stored resident (True), does not (None), or cannot (False:
    the row fails, with why). The moving-in date says when; it must make sense
    (softbridge.calendar.date_refusal): not before the current stay began, nor before they left,
    for a return."""
    stored = record[2]
    on = row.values[_MOVED_IN_ON]
    left = stored[_LEFT_ON]
    elsewhere = row.values[0] != stored[0]
    if left is not None and stored[_LEFT_REASON] == Resident.LeftReason.DIED:
        if elsewhere:
            checker.fail(
                row, "household_code", _("%(name)s died on %(date)s.") % {"name": stored[1], "date": left}
            )
            return False
        return None
    if left is not None:
        returns = on is not None and on >= left and on != stored[_MOVED_IN_ON]
        if not returns and not elsewhere:
            return None
        if not returns:
            checker.fail(
                row,
                "moved_in_on",
                _("%(name)s left the commune on %(date)s: give the day they came back.")
                % {"name": stored[1], "date": left},
            )
            return False
        return True
    if not elsewhere:
        return None
    if on is None:
        checker.fail(
            row,
            "moved_in_on",
            _("%(name)s lives in household %(household)s: give the day they moved to %(new)s.")
            % {"name": stored[1], "household": stored[0], "new": row.values[0]},
        )
        return False
    refusal = date_refusal(on, birth_year=stored[_BIRTH_YEAR], stay_began=stored[_MOVED_IN_ON])
    if refusal:
        checker.fail(row, "moved_in_on", refusal)
        return False
    return True


def _merged(
    checker: Checker, row: CheckedRow, stored: tuple, basis: tuple | None = None, last_stay_ended=None
) -> tuple | None:
    """The resident's values after the row (an empty cell keeps the `basis` value, the stored
    one unless a move clears the departure), or None if they break a rule between fields or a
    date that makes no sense (the row fails). A rule new to the register is asked only of
    what the row changes, as Resident.clean does."""
    basis = stored if basis is None else basis
    values = [given if given is not None else kept for given, kept in zip(row.values, basis, strict=True)]
    # A roster's leaving date without a reason means the resident moved away (docs/import-export.md):
    # paper rosters have a "ngày chuyển đi" column and no reason.
    if values[_LEFT_ON] and not values[_LEFT_REASON]:
        values[_LEFT_REASON] = Resident.LeftReason.MOVED_AWAY.value
    new = stored is _EMPTY

    def changed(*names):
        return new or any(values[AT[name]] != stored[AT[name]] for name in names)

    born = values[_BIRTH_YEAR]
    # Dates before the birth year are rare: only then is it worth asking which the row changed.
    early = born is not None and any(values[i] and values[i].year < born for i in _BEFORE_BIRTH)
    problem = departure_problem(
        moved_in_on=values[_MOVED_IN_ON],
        left_on=values[_LEFT_ON],
        left_reason=values[_LEFT_REASON],
        birth_year=born if early and changed("left_on", "birth_year") else None,
    )
    if problem:
        checker.fail(row, *problem)
        return None
    # A level 3/4 application is an online use: online use began then at the latest.
    values[_ONLINE_ON] = online_from(values[_ONLINE_ON], values[_LEVEL34_ON])
    problems = {}
    if early:
        dates = {name: values[AT[name]] for name in _LADDER if changed(name, "birth_year")}
        problems = ladder_date_problems(born, dates)
    for name, message in problems.items():
        checker.fail(row, name, message)
    if last_stay_ended is not None and changed("moved_in_on"):
        moved_in_on = values[_MOVED_IN_ON]
        if moved_in_on is None or moved_in_on < last_stay_ended:
            checker.fail(
                row,
                "moved_in_on",
                _("%(name)s left their previous household on %(date)s: they moved in here on or after it.")
                % {"name": values[1], "date": last_stay_ended},
            )
            return None
    return None if problems else tuple(values)


def _check_heads(plan: Plan, checker: Checker, register: Register) -> None:
    """A household has one head: the file may not leave two living there (the register's heads
    the file does not name stay heads). villages.services.household_head_change moves it."""
    for pk, _version, values in register.residents:
        if (
            pk not in plan.matched
            and values[_RELATION] == Resident.Relation.HEAD
            and values[_LEFT_ON] is None
            and values[0] in plan.heads
        ):
            plan.heads[values[0]].append((pk, None, values[1]))
    for household, heads in plan.heads.items():
        if len(heads) < 2:
            continue
        for _pk, row, name in heads:
            if row is None:
                continue
            others = ", ".join(other for _p, r, other in heads if r != row)
            checker.error(
                row,
                checker.column_name("relation"),
                _("Household %(household)s has one head: %(name)s and %(others)s cannot both be it.")
                % {"household": household, "name": name, "others": others},
            )


def _plan_arrivals(plan: Plan, result: RosterResult) -> None:
    """The preview's arrivals from the province's other communes and conflicts with them
    (villages.between_communes.arrivals_foreseen): what the import will settle after writing."""
    arrivals, conflicts = arrivals_foreseen(
        commune=plan.commune,
        arriving=[(row, v[_NATIONAL_ID], v[_MOVED_IN_ON]) for row, v in plan.arriving],
    )
    names = {row: (values[0], values[1]) for row, values in plan.arriving}
    for kept, found in ((result.arrivals, arrivals), (result.conflicts, conflicts)):
        for row, commune_name, moved_in, left in found[:PREVIEW_ROWS]:
            kept.append(RowChange(row, *names[row], ((commune_name, moved_in, left),)))
    result.arrived, result.conflicted = len(arrivals), len(conflicts)
