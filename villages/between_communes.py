"""Moves between the communes of a province: one person, one record in each commune they lived in.

A national ID number is unique within a commune (the register's constraint); across the
communes of a province it names one person. So a record created, or a return recorded,
in commune B with the number of a person living in commune A of the same province is that
person moving: `arrival_record` ends A's stay on the arrival day (moved away, to B: a
CommuneMove), and the ladder's dates travel to B's record, the earliest of each step
winning as it always does (docs/late-records.md). B's count takes them from the day the
person lives in B (reports.ledger counts a step from the later of the stay's start and
the step's date); A keeps its history.

When A's stay cannot end there (it began on or after the arrival, it already ends after
it, or the arrival has no date), both records stay and the pair is a conflict: listed for
both communes' officials by `conflicts_of` (the other commune's name and the stay's dates,
nothing else) until one of them ends their stay (`conflict_resolve`). Meanwhile each
commune counts its register as it stands, and the province counts the person once
(reports.selectors.province, docs/user-guide.md, "Moves between communes").

The doors that create or bring back a resident call `arrival_record`: the member page
(villages.views), the API (villages.api), the roster import (villages.roster.importing) and
resident_move's return (villages.services).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from villages.models import (
    Commune,
    CommuneMove,
    LadderStep,
    Resident,
    departure_problem,
    ladder_date_problems,
    online_from,
)
from villages.services import resident_departure_record


def same_person_elsewhere(resident: Resident) -> QuerySet[Resident]:
    """The records of the resident's ID number in the other communes of their province (none
    without a number or a province): one probe of the index resident_national_id_lookup."""
    commune = resident.commune
    if not resident.national_id or commune.province_id is None:
        return Resident.objects.none()
    # By id: the model's ordering would join every record's household for nothing.
    return (
        Resident.objects.filter(national_id=resident.national_id, commune__province_id=commune.province_id)
        .exclude(commune_id=resident.commune_id)
        .order_by("pk")
    )


def stays_overlap(
    first: tuple[datetime.date | None, datetime.date | None],
    second: tuple[datetime.date | None, datetime.date | None],
) -> bool:
    """Do two stays (moved in, left; None: always, still) share a day's end? A stay covers
    the end of each day from its moving-in day until the day before it left (present_q)."""
    (first_in, first_left), (second_in, second_left) = first, second
    first_ends_after = first_left is None or second_in is None or first_left > second_in
    second_ends_after = second_left is None or first_in is None or second_left > first_in
    return first_ends_after and second_ends_after


def _ended_by_arrival(other: Resident, arrival: datetime.date | None) -> bool:
    """May the arrival end `other`'s stay: it is open and began before the arrival day?"""
    return (
        arrival is not None
        and other.left_on is None
        and (other.moved_in_on is None or other.moved_in_on < arrival)
        and departure_problem(
            moved_in_on=other.moved_in_on,
            left_on=arrival,
            left_reason=Resident.LeftReason.MOVED_AWAY,
            birth_year=other.birth_year,
        )
        is None
    )


@transaction.atomic
def arrival_record(*, resident: Resident) -> list[CommuneMove]:
    """The resident's current stay has just begun (a new record, or a return): settle the
    records of their ID number in the province's other communes, and give the moves recorded.

    A record living there before the arrival day is ended that day (moved away) and its move
    to this commune recorded; one that had left on or before the arrival becomes a move here
    (its recorded departure, kept, names this commune unless it named one). Either way the
    ladder's dates travel: each step of this record is the earliest either record gives
    (online use follows a level 3/4 application back, villages.models.online_from; a date
    before this record's birth year does not travel). Any other record that shares a day's
    end with this stay is left as it is: a conflict (conflicts_of). A record of a person who
    died travels nothing.
    """
    if not resident.national_id or resident.left_on is not None:
        return []
    resident = Resident.objects.select_for_update().select_related("commune").get(pk=resident.pk)
    arrival = resident.moved_in_on
    moves, sources = [], []
    for other in same_person_elsewhere(resident).select_for_update().order_by("pk"):
        if other.left_reason == Resident.LeftReason.DIED:
            continue
        if _ended_by_arrival(other, arrival):
            other.left_on, other.left_reason = arrival, Resident.LeftReason.MOVED_AWAY
            other.save(update_fields=["left_on", "left_reason"], locked=True)
        elif not (other.left_on is not None and arrival is not None and other.left_on <= arrival):
            continue  # a conflict: both stay until an official ends one
        sources.append(other)
        move = other.moves_out.filter(arrival__isnull=True).order_by("-on", "-pk").first()
        if move is None or move.to_commune_id != resident.commune_id:
            move = CommuneMove(resident=other, from_commune_id=other.commune_id, on=other.left_on)
        move.to_commune_id, move.arrival = resident.commune_id, resident
        move.save()
        moves.append(move)
    _ladder_travels(resident, sources)
    return moves


def _ladder_travels(resident: Resident, sources: list[Resident]) -> None:
    """Each ladder step of `resident` becomes the earliest any of `sources` or it gives."""
    dates = {}
    for step in LadderStep:
        known = [d for d in (getattr(r, step.field) for r in (resident, *sources)) if d is not None]
        dates[step.field] = min(known) if known else None
    for field in ladder_date_problems(resident.birth_year, dates):
        dates[field] = getattr(resident, field)
    dates["online_on"] = online_from(dates["online_on"], dates["level34_on"])
    changed = [field for field, on in dates.items() if on != getattr(resident, field)]
    if changed:
        for field in changed:
            setattr(resident, field, dates[field])
        resident.save(update_fields=changed, locked=True)


def departure_destination_record(*, resident: Resident, to_commune: Commune) -> CommuneMove:
    """Name the commune of the province a resident who moved away went to: their departure
    (resident_departure_record, which the caller recorded first) becomes a move to it, listed
    on both communes' page of moves; the destination's arrival links it (arrival_record)."""
    if resident.left_reason != Resident.LeftReason.MOVED_AWAY:
        raise ValidationError({"to_commune": _("Only a resident who moved away went to another commune.")})
    if (
        to_commune.pk == resident.commune_id
        or to_commune.province_id is None
        or to_commune.province_id != resident.commune.province_id
    ):
        raise ValidationError({"to_commune": _("Choose another commune of this province.")})
    return CommuneMove.objects.create(
        resident=resident, from_commune_id=resident.commune_id, to_commune=to_commune, on=resident.left_on
    )


@dataclass(frozen=True)
class Conflict:
    """A resident of this commune whose ID number lives, on some of the same days, in another
    commune of the province: what this commune's officials are told of the other record."""

    resident: Resident
    other_commune: str
    other_moved_in_on: datetime.date | None
    other_left_on: datetime.date | None


def conflicts_of(commune: Commune) -> list[Conflict]:
    """The conflicts of `commune`'s residents (Conflict), by name: each pair of records of one
    ID number, here and in another commune of the province, whose current stays overlap
    (stays_overlap). Two queries, whatever the size of the register: the other communes'
    records of this commune's numbers, then those residents here."""
    if commune.province_id is None:
        return []
    numbers = Resident.objects.filter(commune=commune).exclude(national_id="").values("national_id")
    others = list(
        Resident.objects.filter(commune__province_id=commune.province_id, national_id__in=numbers)
        .exclude(commune=commune)
        .values_list("national_id", "commune__name", "moved_in_on", "left_on")
    )
    if not others:
        return []
    here = Resident.objects.filter(commune=commune, national_id__in={o[0] for o in others}).select_related(
        "household"
    )
    by_number = {r.national_id: r for r in here}
    found = [
        Conflict(by_number[number], name, moved_in, left)
        for number, name, moved_in, left in others
        if number in by_number
        and stays_overlap((by_number[number].moved_in_on, by_number[number].left_on), (moved_in, left))
    ]
    return sorted(found, key=lambda c: (c.resident.search_name, c.resident.pk, c.other_commune))


@transaction.atomic
def conflict_resolve(*, resident: Resident, ended_on: datetime.date) -> Resident:
    """End the resident's stay in this commune on `ended_on` (moved away), so that their
    records no longer live in two communes on the same days: refused, naming `ended_on`,
    when the stay would still share a day's end with another commune's record of the number
    (resident_departure_record's rules hold too)."""
    for other in same_person_elsewhere(resident):
        if stays_overlap((resident.moved_in_on, ended_on), (other.moved_in_on, other.left_on)):
            raise ValidationError(
                {
                    "ended_on": _(
                        "The stay would still overlap the one in %(commune)s: end it on or before %(date)s."
                    )
                    % {
                        "commune": other.commune.name,
                        "date": other.moved_in_on.isoformat() if other.moved_in_on else "-",
                    }
                }
            )
    return resident_departure_record(resident=resident, on=ended_on, reason=Resident.LeftReason.MOVED_AWAY)


def moves_of(commune: Commune) -> tuple[QuerySet[CommuneMove], QuerySet[CommuneMove]]:
    """The commune's moves to other communes (its records that moved away) and from them (its
    records of those who arrived), newest first: what the page of moves lists."""
    related = ("resident__household", "from_commune", "to_commune", "arrival__household")
    out = CommuneMove.objects.filter(from_commune=commune).select_related(*related)
    into = CommuneMove.objects.filter(to_commune=commune, arrival__isnull=False).select_related(*related)
    return out, into


# The ID numbers asked of the database at once: within the parameters of every SQLite build.
_CHUNK = 900


def _elsewhere_in_province(commune: Commune, national_ids: list[str]) -> list[Resident]:
    """The province's other communes' records of these numbers, with their commune."""
    if commune.province_id is None:
        return []
    numbers = sorted(set(filter(None, national_ids)))
    found = []
    for start in range(0, len(numbers), _CHUNK):
        found += (
            Resident.objects.filter(
                commune__province_id=commune.province_id, national_id__in=numbers[start : start + _CHUNK]
            )
            .exclude(commune=commune)
            .select_related("commune")
            .order_by("pk")
        )
    return found


def arrivals_foreseen(
    *, commune: Commune, arriving: list[tuple[int, str, datetime.date | None]]
) -> tuple[list[tuple], list[tuple]]:
    """What arrival_record will find for residents about to begin a stay in `commune`, given
    as (row, ID number, moved in on): the arrivals (another commune's record it ends, or
    that had left by then) and the conflicts, each as (row, that commune's name, moved in
    there, left there), in the rows' order. The roster import's preview lists them."""
    others: dict[str, list[Resident]] = {}
    for other in _elsewhere_in_province(commune, [number for _row, number, _on in arriving]):
        others.setdefault(other.national_id, []).append(other)
    arrivals, conflicts = [], []
    for row, number, arrival in arriving:
        for other in others.get(number, ()):
            if other.left_reason == Resident.LeftReason.DIED:
                continue
            came = _ended_by_arrival(other, arrival) or (
                other.left_on is not None and arrival is not None and other.left_on <= arrival
            )
            found = (row, other.commune.name, other.moved_in_on, other.left_on)
            (arrivals if came else conflicts).append(found)
    return arrivals, conflicts


def arrivals_settle(*, commune: Commune, national_ids: list[str]) -> int:
    """arrival_record for each present resident of `commune` with one of these numbers that
    another commune of the province also holds (the roster import, after writing): one query
    to find them, then one settlement each. The number of moves recorded."""
    numbers = {other.national_id for other in _elsewhere_in_province(commune, national_ids)}
    residents = Resident.objects.filter(commune=commune, national_id__in=numbers, left_on__isnull=True)
    return sum(len(arrival_record(resident=resident)) for resident in residents.order_by("pk"))
