"""A handful of moves within the commune, household splits and a return, so that the demo's
household pages show residence histories and its reports count people where they lived.

Recorded after everything else is written, through the register's own services
(villages.services.resident_move and household_split), as a village head would record them,
and drawn from a generator of their own: the rest of the demo stays as it was. The dates
fall in the months the demo's story tells (demo.period.Story), after each person's stay
began and never after the commune's today, whatever dates the rest of the demo was given.
"""

import datetime
import random

from django.db.models import Max

from demo.build import SEED
from demo.period import Story
from softbridge.calendar import commune_today
from villages.models import Household, Resident
from villages.services import household_split, resident_move

MOVES = 6  # people who moved to another household of the commune
SPLITS = 2  # a married son's family setting up its own household (tách hộ)
RETURNS = 1  # someone who had moved away and came back


def moves_record(*, commune, story: Story) -> dict[str, int]:
    """Record the demo's moves, splits and returns in `commune`, written already, within the
    months `story` tells. Returns how many of each were recorded (fewer when the commune has
    too few candidates)."""
    rng = random.Random(SEED + 16)
    last = min(story.end, commune_today())
    if last <= story.start:
        return {"moves": 0, "splits": 0, "returns": 0}
    window = (story.start, last)
    residents = list(
        Resident.objects.filter(commune=commune).select_related("household__village").order_by("pk")
    )
    households = list(Household.objects.filter(commune=commune).select_related("village").order_by("pk"))
    split, moved = _splits(rng, residents, households, window)
    residents = [r for r in residents if r.pk not in moved]
    return {
        "splits": split,
        "moves": _moves(rng, residents, households, window),
        "returns": _returns(rng, residents, households, window),
    }


def _after_outreach(resident: Resident, start: datetime.date) -> datetime.date:
    """The day after the resident was last helped at a visit or session or filed a dossier:
    the demo's work already placed them in their household until then."""
    days = [
        resident.visit_helps.aggregate(last=Max("visit__visited_on"))["last"],
        resident.attendances.aggregate(last=Max("session__held_on"))["last"],
        resident.applications.aggregate(last=Max("submitted_on"))["last"],
        resident.moved_in_on,
    ]
    return max((d + datetime.timedelta(days=1) for d in days if d), default=start)


def _day(rng: random.Random, first: datetime.date, window) -> datetime.date | None:
    start, last = window
    first = max(first, start)
    if first > last:
        return None
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _moves(rng, residents, households, window) -> int:
    """Adults who moved to a household of their village or of the next one (a marriage, a
    widow going to live with her children); the first in Nà Khau, which the demo head sees."""
    candidates = [
        r
        for r in residents
        if r.left_on is None
        and r.relation in (Resident.Relation.CHILD, Resident.Relation.OTHER, Resident.Relation.PARENT)
        and r.birth_year
        and r.birth_year <= 2004
    ]
    rng.shuffle(candidates)
    candidates.sort(key=lambda r: r.household.village.code != "NK")  # stable: Nà Khau first
    done = 0
    for resident in candidates:
        if done == MOVES:
            break
        nearby = [
            h
            for h in households
            if h.pk != resident.household_id and abs(h.village_id - resident.household.village_id) <= 1
        ]
        day = _day(rng, _after_outreach(resident, window[0]), window)
        if not nearby or day is None:
            continue
        resident_move(resident=resident, household=rng.choice(nearby), on=day)
        done += 1
    return done


def _splits(rng, residents, households, window) -> tuple[int, set[int]]:
    """Three-generation households whose married son moves out with his wife and children;
    how many, and who moved."""
    members: dict[int, list[Resident]] = {}
    for r in residents:
        if r.left_on is None:
            members.setdefault(r.household_id, []).append(r)
    codes = {h.code for h in households}
    done, moved = 0, set()
    for household in rng.sample(households, len(households)):
        if done == SPLITS:
            break
        present = members.get(household.pk, [])
        sons = [r for r in present if r.relation == Resident.Relation.CHILD and r.sex == "M" and r.birth_year]
        family = [r for r in present if r.relation == Resident.Relation.OTHER]
        code = f"{household.code}-T"
        if not sons or not family or code in codes:
            continue
        son = min(sons, key=lambda r: r.birth_year)
        moving = [son, *family]
        day = _day(rng, max(_after_outreach(r, window[0]) for r in moving), window)
        if day is None:
            continue
        household_split(
            household=household,
            members=moving,
            head=son,
            on=day,
            new_household=Household(
                village=household.village,
                code=code,
                address=household.address,
                worker_in_charge_id=household.worker_in_charge_id,
            ),
        )
        codes.add(code)
        moved.update(r.pk for r in moving)
        done += 1
    return done, moved


def _returns(rng, residents, households, window) -> int:
    """Someone who moved away for work and came back to their household."""
    last = window[1]
    away = [r for r in residents if r.left_reason == Resident.LeftReason.MOVED_AWAY and r.left_on < last]
    done = 0
    for resident in rng.sample(away, len(away)):
        if done == RETURNS:
            break
        day = _day(
            rng,
            max(resident.left_on + datetime.timedelta(days=60), _after_outreach(resident, window[0])),
            window,
        )
        if day is None:
            continue
        resident.refresh_from_db()
        resident_move(resident=resident, household=resident.household, on=day)
        done += 1
    return done
